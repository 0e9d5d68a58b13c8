photo-error-too-large = This file is too large. Please send a photo smaller than { $maxMb } MB — a normal phone camera photo is fine.
photo-error-not-an-image =
    { $kind ->
        [unknown] This file is not a photo.
       *[other] This is a { $kind } file, not a photo.
    } Please send a photo taken with your phone camera.
photo-error-animated = This looks like an animation. Please send a still photo taken with your phone camera.
photo-error-unsupported-format = We can't open this image format. Please send it as a photo (not as a file), or convert it to JPEG first.
photo-error-too-many-pixels = This image has too many pixels to process (more than { $maxMp } megapixels). Please send a normal phone camera photo or a smaller copy.
photo-error-unreadable = We couldn't read this image — the file may be damaged or incomplete. Please take the photo again and send it.
photo-error-too-small = This photo is too small ({ $width }×{ $height }). Please send a photo at least { $minSide } pixels on its shorter side — a normal phone camera photo is fine.
photo-error-sticker = A sticker is not a photo. Please take a real photo with your camera and send it.
photo-error-expected-photo = Please send a photo, not text. Tap the paperclip (📎) and choose a photo or the camera.
