photo-error-too-large = 檔案太大。請傳送小於 { $maxMb } MB 的照片——手機相機直接拍的照片即可。
photo-error-not-an-image =
    { $kind ->
        [unknown] 這個檔案不是照片。
       *[other] 這是 { $kind } 檔案，不是照片。
    }請傳送用手機相機拍攝的照片。
photo-error-animated = 這似乎是動態圖片。請傳送一張靜態照片，用手機相機拍攝即可。
photo-error-unsupported-format = 暫時無法開啟這種圖片格式。請以「照片」方式傳送（不要以「檔案」方式），或先轉換為 JPEG 格式。
photo-error-too-many-pixels = 這張圖片像素過多（超過 { $maxMp } 百萬像素），無法處理。請傳送手機相機拍攝的一般照片，或縮小後再傳送。
photo-error-unreadable = 無法讀取這張圖片，檔案可能已損毀或不完整。請重新拍攝後再傳送。
photo-error-too-small = 這張照片太小了（{ $width }×{ $height }）。請傳送短邊至少 { $minSide } 像素的照片——手機相機直接拍的照片即可。
photo-error-sticker = 貼圖不是照片。請用相機拍一張真實的照片傳送。
photo-error-expected-photo = 請傳送照片，而不是文字。點選迴紋針圖示（📎），選擇照片或相機。
