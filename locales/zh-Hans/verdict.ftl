# 自拍核验的原因说明（core/verification/decision.ts）与手势挑战（core/verification/gestures.ts）。只写可操作的句子，不显示分数。
verdict-reason-unreadable-image = 无法打开这张照片。请以普通照片（JPEG 或 PNG）重新发送。
verdict-reason-no-face = 没有看到人脸。请正对镜头自拍，让整张脸都在画面里。
verdict-reason-multiple-faces = 照片里有不止一张脸。请单独自拍，画面中不要有其他人。
verdict-reason-face-too-small = 照片里的脸太小。请把手机拿近一些，让脸占画面约三分之一。
verdict-reason-face-cut-off = 脸的一部分被照片边缘切掉了。请让整张脸都在画面内。
verdict-reason-too-dark = 照片太暗。请到更亮的地方或面向窗户，再试一次。
verdict-reason-too-blurry = 照片模糊。请拿稳手机，点击屏幕对焦到脸上，再拍照。
verdict-reason-reference-unusable = 证件照片上找不到清晰的人脸。请把证件平放、光线充足、露出头像，重新拍摄发送。
verdict-reason-face-mismatch = 自拍中的脸与证件上的脸不一致。请本人正对镜头自拍，不要戴眼镜或口罩。
verdict-reason-gesture-not-detected = 没有看到您的手。请把手举在脸旁，完整地出现在画面中，并做出要求的手势。
verdict-reason-wrong-gesture = 您的手势与要求的不一致。请在脸旁、掌心朝向镜头，准确做出要求的手势。
verdict-reason-replayed-photo = 这张照片以前已经发送过。请现在重新拍一张自拍。
verdict-reason-duplicate-identity = 这次核验需要工作人员人工检查。我们会尽快回复您，您现在无需再做任何操作。
verdict-reason-attempts-exhausted = 您的尝试次数已用完。工作人员会审核您的照片并回复您。
verdict-reason-face-match-uncertain = 工作人员会人工比对您的自拍和证件。我们会尽快回复您，您现在无需再做任何操作。
verdict-reason-quality-uncertain = 照片质量处于临界，工作人员会查看。如果可以，请发送一张更亮、更清晰的自拍。

gesture-victory = 在脸旁比一个 V 字手势（食指和中指伸直）✌️
gesture-pointing_up = 在脸旁竖起食指指向上方 ☝️，其余手指弯曲
gesture-four = 在脸旁伸出四根手指，拇指弯向掌心
gesture-rock = 在脸旁比出“摇滚”手势 🤘（食指和小指伸直，中指和无名指弯曲）
gesture-open_palm = 在脸旁张开手掌 🖐️（五指张开）
gesture-fist = 在脸旁举起握紧的拳头 ✊
gesture-thumbs_up = 在脸旁竖起大拇指 👍
gesture-call = 在脸旁比出“打电话”手势 🤙（拇指和小指伸出）
gesture-ok = 在脸旁比出 OK 手势 👌（拇指和食指相碰，其余手指伸直）
