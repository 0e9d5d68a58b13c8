result-pass = ✅ Verified! Thank you: your shop is verified. We will ask you for a short re-check around { $nextRecheck }.
result-fail = ❌ This selfie did not pass:
    { $reasons }

    Attempts left: { $attemptsLeft }. Tap the button for a new gesture and try again.
result-review = 🔎 Thank you. Our support staff will look at your verification and answer you in this chat, usually within one working day.
    { $reasons }
result-retake-button = Try again with a new gesture
retake-not-possible = There is no attempt to retake right now. Send /status to see where your verification stands.
