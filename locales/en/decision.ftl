## What a seller hears when support staff decide on their verification.

decision-approved = ✅ Verified! Our support staff confirmed your verification: your shop is verified. We will ask you for a short re-check around { $nextRecheck }.
decision-rejected = ❌ Our support staff could not confirm your verification.
    { $reason }
decision-reject-face-mismatch = The person in the selfie does not match the ID document. If you run this shop, send /start to verify again with your own ID and your own face.
decision-reject-document-invalid = The ID document is not valid or does not match the details you entered. Send /start to verify again with a valid ID document.
decision-reject-document-unreadable = We could not read your ID document. Send /start to verify again with a sharp, well-lit photo of the ID.
decision-reject-identity-in-use = This identity is already linked to another shop. If you think this is a mistake, please contact your marketplace's support.
decision-reject-suspected-fraud = We could not confirm that you are the person on the ID. Please contact your marketplace's support.
decision-retake = 📸 Our support staff ask you for a new selfie. Tap the button when you are ready: you will get a new gesture and { $minutes } minutes to send the photo.
decision-new-document = 🪪 Our support staff ask you for a new photo of your ID document. Tap the button when you are ready; a selfie with a new gesture follows.
decision-retake-button = Take the new selfie
decision-new-document-button = Send the ID photo
