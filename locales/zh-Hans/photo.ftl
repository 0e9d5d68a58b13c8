photo-error-too-large = 文件太大。请发送小于 { $maxMb } MB 的照片——手机相机直接拍的照片即可。
photo-error-not-an-image =
    { $kind ->
        [unknown] 这个文件不是照片。
       *[other] 这是 { $kind } 文件，不是照片。
    }请发送用手机相机拍摄的照片。
photo-error-animated = 这似乎是动图。请发送一张静态照片，用手机相机拍摄即可。
photo-error-unsupported-format = 暂时无法打开这种图片格式。请以“照片”方式发送（不要以“文件”方式），或先转换为 JPEG 格式。
photo-error-too-many-pixels = 这张图片像素过多（超过 { $maxMp } 百万像素），无法处理。请发送手机相机拍摄的普通照片，或缩小后再发送。
photo-error-unreadable = 无法读取这张图片，文件可能已损坏或不完整。请重新拍摄后再发送。
photo-error-too-small = 这张照片太小了（{ $width }×{ $height }）。请发送短边至少 { $minSide } 像素的照片——手机相机直接拍的照片即可。
photo-error-sticker = 贴纸不是照片。请用相机拍一张真实的照片发送。
photo-error-expected-photo = 请发送照片，而不是文字。点击回形针图标（📎），选择照片或相机。
