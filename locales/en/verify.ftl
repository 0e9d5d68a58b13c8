verify-consent = Before we start: to verify that you run this shop, we collect your name, ID number, phone number and a photo of your ID document. We use them only to verify you and to prevent identity fraud. ID number and phone are encrypted and never shown in full. We keep them for { $retentionDays } days after your shop closes, then delete them.

    Do you agree?
verify-consent-face = Face data: we compare your selfie with the photo on your ID document and keep a face template to re-verify you later. Photos and the template are encrypted and deleted after { $retentionDays } days.

    Do you agree to this face check?
verify-consent-agree = I agree
verify-consent-decline = I do not agree
verify-manual-offer = Without your consent we cannot verify you automatically. You can ask our support staff to verify you by hand instead.
verify-manual-request = Ask for manual review
verify-manual-cancel = Cancel
verify-manual-requested = Done: our support staff will contact you in this chat.
verify-cancelled = Verification cancelled. Send /start whenever you want to begin again.
verify-case-moved = Your verification has moved on in the meantime. Send /status to see where it stands.
verify-ask-region = Which ID document will you use?
verify-ask-name = Please type your full name exactly as it is written on your { $region }.
verify-ask-id-cn = Please type your 18-character resident ID number.
verify-ask-id-hk = Please type your Hong Kong identity card number, for example A123456(3).
verify-ask-id-mo = Please type your Macau resident identity card number, for example 1234567(8).
verify-ask-id-tw = Please type your ID number, for example A123456789.
verify-ask-id-passport = Please type the number of your passport or travel document.
verify-expected-text = Please type your answer as a text message.
verify-ask-phone = Now share your phone number with the button below. It must be the number registered with your marketplace.
verify-phone-button = 📱 Share my phone number
verify-phone-use-button = Please use the "Share my phone number" button below; typed numbers cannot be accepted.
verify-phone-not-yours = This is someone else's contact. Please share your own number with the button below.
verify-phone-invalid = This phone number could not be read. Please share your own number with the button below.
verify-phone-mismatch = This number does not match the phone registered with your marketplace ({ $reserved }). Please share that number from the Telegram account that uses it, or contact your marketplace to update it.
verify-identity-saved = Thank you, { $name }. ID number { $idNumber } saved (shown masked).
verify-ask-document = Now send a photo of your { $region }: the side with your photo. Lay it flat, fill the frame, no glare.
verify-challenge = Last step: take a selfie now, with your face and your hand in the picture.

    { $emoji } { $instruction }

    Please send it within { $minutes } minutes.
verify-challenge-late = That selfie arrived after the time limit. Here is a new gesture; please take a new photo.
verify-daily-limit = You have sent { $max } selfies in the last 24 hours, the most we accept in a day. You can try again in { $hours } h { $minutes } min.
verify-daily-limit-again = Get my gesture
verify-checking = Thank you! Checking your photos… You will get the result in this chat.
