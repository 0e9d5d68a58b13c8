# 自拍核驗的原因說明（core/verification/decision.ts）與手勢挑戰（core/verification/gestures.ts）。只寫可操作的句子，不顯示分數。
verdict-reason-unreadable-image = 無法開啟這張照片。請以一般照片（JPEG 或 PNG）重新傳送。
verdict-reason-no-face = 沒有看到人臉。請正對鏡頭自拍，讓整張臉都在畫面裡。
verdict-reason-multiple-faces = 照片裡有不只一張臉。請單獨自拍，畫面中不要有其他人。
verdict-reason-face-too-small = 照片裡的臉太小。請把手機拿近一些，讓臉佔畫面約三分之一。
verdict-reason-face-cut-off = 臉的一部分被照片邊緣切掉了。請讓整張臉都在畫面內。
verdict-reason-too-dark = 照片太暗。請到更亮的地方或面向窗戶，再試一次。
verdict-reason-too-blurry = 照片模糊。請拿穩手機，點擊螢幕對焦到臉上，再拍照。
verdict-reason-reference-unusable = 證件照片上找不到清晰的人臉。請把證件平放、光線充足、露出頭像，重新拍攝傳送。
verdict-reason-face-mismatch = 自拍中的臉與證件上的臉不一致。請本人正對鏡頭自拍，不要戴眼鏡或口罩。
verdict-reason-gesture-not-detected = 沒有看到您的手。請把手舉在臉旁，完整地出現在畫面中，並做出要求的手勢。
verdict-reason-wrong-gesture = 您的手勢與要求的不一致。請在臉旁、掌心朝向鏡頭，準確做出要求的手勢。
verdict-reason-replayed-photo = 這張照片以前已經傳送過。請現在重新拍一張自拍。
verdict-reason-duplicate-identity = 這次核驗需要工作人員人工檢查。我們會盡快回覆您，您現在無需再做任何操作。
verdict-reason-attempts-exhausted = 您的嘗試次數已用完。工作人員會審核您的照片並回覆您。
verdict-reason-face-match-uncertain = 工作人員會人工比對您的自拍和證件。我們會盡快回覆您，您現在無需再做任何操作。
verdict-reason-quality-uncertain = 照片品質處於臨界，工作人員會查看。如果可以，請傳送一張更亮、更清晰的自拍。

gesture-victory = 在臉旁比一個 V 字手勢（食指和中指伸直）✌️
gesture-pointing_up = 在臉旁豎起食指指向上方 ☝️，其餘手指彎曲
gesture-four = 在臉旁伸出四根手指，拇指彎向掌心
gesture-rock = 在臉旁比出「搖滾」手勢 🤘（食指和小指伸直，中指和無名指彎曲）
gesture-open_palm = 在臉旁張開手掌 🖐️（五指張開）
gesture-fist = 在臉旁舉起握緊的拳頭 ✊
gesture-thumbs_up = 在臉旁豎起大拇指 👍
gesture-call = 在臉旁比出「打電話」手勢 🤙（拇指和小指伸出）
gesture-ok = 在臉旁比出 OK 手勢 👌（拇指和食指相碰，其餘手指伸直）
