# Seller-facing reasons of a selfie check (core/verification/decision.ts) and the gesture challenges
# (core/verification/gestures.ts). Actionable sentences only: never a score.
verdict-reason-unreadable-image = We could not open this photo. Please send it again as a normal photo (JPEG or PNG).
verdict-reason-no-face = We could not see a face. Take the selfie facing the camera, with your whole face in the picture.
verdict-reason-multiple-faces = More than one face is in the photo. Please take the selfie alone, with nobody else in the frame.
verdict-reason-face-too-small = Your face is too small in the photo. Hold the phone closer so your face fills about a third of the picture.
verdict-reason-face-cut-off = Part of your face is cut off by the edge of the photo. Keep your whole face inside the frame.
verdict-reason-too-dark = The photo is too dark. Move to a brighter place or face a window, then try again.
verdict-reason-too-blurry = The photo is blurry. Hold the phone steady, tap to focus on your face, then take the photo.
verdict-reason-reference-unusable = We could not find a clear face on your ID document photo. Please send the ID photo again, flat and well lit, with the portrait visible.
verdict-reason-face-mismatch = The face in the selfie does not match the face on your ID document. Please take the selfie yourself, facing the camera, without glasses or a mask.
verdict-reason-gesture-not-detected = We could not see your hand. Hold your hand up beside your face, fully in the picture, and show the requested gesture.
verdict-reason-wrong-gesture = Your hand does not show the requested gesture. Please show exactly the gesture we asked for, palm towards the camera, beside your face.
verdict-reason-replayed-photo = This photo was already sent before. Please take a new selfie now.
verdict-reason-still-image = The camera showed a still picture, not you live. Take the selfie yourself, holding the phone, in front of the camera.
verdict-reason-burst-mismatch = The photos from the camera show different faces. Take the selfie alone, holding still.
verdict-reason-duplicate-identity = Our staff need to check this verification by hand. We will get back to you; there is nothing more to do now.
verdict-reason-attempts-exhausted = You have used all attempts. Our staff will review your photos and get back to you.
verdict-reason-face-match-uncertain = Our staff will compare your selfie with your ID by hand. We will get back to you; there is nothing more to do now.
verdict-reason-quality-uncertain = The photo quality is borderline, so our staff will look at it. If you can, send a brighter, sharper selfie.
verdict-reason-duplicate-id-number = Our staff need to check this verification by hand. We will get back to you; there is nothing more to do now.
verdict-reason-no-reference = Our staff will compare your selfie by hand. We will get back to you; there is nothing more to do now.
verdict-reason-check-failed = Our automated check could not finish, so our staff will look at your photos. We will get back to you; there is nothing more to do now.
verdict-reason-staff-retake = Our support staff ask you for a new selfie.
verdict-reason-staff-new-document = Our support staff ask you for a new photo of your ID document.

gesture-victory = Show a V sign (index and middle finger up) ✌️ next to your face
gesture-pointing_up = Point your index finger up ☝️ next to your face, other fingers folded
gesture-four = Hold up four fingers, thumb folded across your palm, next to your face
gesture-three = Hold up three fingers (index, middle and ring finger) 3️⃣ next to your face, little finger and thumb folded
gesture-rock = Show the "rock" sign 🤘 (index and little finger up, middle and ring finger folded) next to your face
gesture-open_palm = Hold up your open hand 🖐️ (all five fingers spread) next to your face
gesture-fist = Hold up a closed fist ✊ next to your face
gesture-thumbs_up = Give a thumbs up 👍 next to your face
gesture-call = Show the "call me" sign 🤙 (thumb and little finger out) next to your face
gesture-ok = Show the OK sign 👌 (thumb and index finger touching, other fingers up) next to your face
