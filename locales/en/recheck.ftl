## Rechecks: reminders, restrictions, and the button that starts the recheck.

recheck-reminder = { $offset ->
        [-7] 🔁 Time for your shop's periodic re-verification: it is due on { $date }. It takes a minute: one selfie with a hand gesture.
        [-1] 🔁 Reminder: your shop's re-verification is due tomorrow ({ $date }). It takes a minute: one selfie with a hand gesture.
        [0] 🔁 Your shop's re-verification is due today. It takes a minute: one selfie with a hand gesture.
       *[other] ⚠️ Your shop's re-verification is overdue (it was due on { $date }). Please do it now: on { $restrictOn } your shop will be restricted until you do.
    }
recheck-unscheduled = 🔁 We need to confirm again that you are the person who runs this shop. Please take one selfie with a hand gesture now: once you start, you have { $minutes } minutes.
recheck-restricted = ⛔ Your shop is restricted because its re-verification is overdue. Re-verify now to lift the restriction: it takes a minute.
recheck-button = Re-verify now
recheck-not-open = There is no re-verification to do right now. /status shows where your shop stands.
recheck-invite = 🪪 Your marketplace asks you to verify that you are the person who runs your shop. It takes about 3 minutes: your ID details, your phone, a photo of your ID document and a selfie with a hand gesture.
recheck-invite-button = Start verification
