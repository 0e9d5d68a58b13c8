verify-consent = 开始之前：为确认您是这家店铺的经营者，我们需要收集您的姓名、证件号码、手机号以及证件照片。这些信息仅用于核实您的身份和防范身份冒用。证件号码和手机号均经过加密，绝不会完整显示。店铺关闭后，我们会保留这些信息 { $retentionDays } 天，之后予以删除。

    您是否同意？
verify-consent-face = 人脸信息：我们会将您的自拍与证件上的照片进行比对，并保留一份人脸模板，以便日后再次核验您的身份。照片和人脸模板均经过加密，将在 { $retentionDays } 天后删除。

    您是否同意进行人脸核验？
verify-consent-agree = 我同意
verify-consent-decline = 我不同意
verify-manual-offer = 未经您的同意，我们无法进行自动认证。您可以改为申请由客服人员人工审核。
verify-manual-request = 申请人工审核
verify-manual-cancel = 取消
verify-manual-requested = 已提交：客服人员会在此对话中与您联系。
verify-cancelled = 认证已取消。如需重新开始，随时发送 /start 即可。
verify-case-moved = 您的认证在此期间已有新进展。请发送 /status 查看当前进度。
verify-ask-region = 您将使用哪种证件？
verify-ask-name = 请输入您的完整姓名，须与{ $region }上的写法完全一致。
verify-ask-id-cn = 请输入您的 18 位居民身份证号码。
verify-ask-id-hk = 请输入您的香港身份证号码，例如 A123456(3)。
verify-ask-id-mo = 请输入您的澳门居民身份证号码，例如 1234567(8)。
verify-ask-id-tw = 请输入您的证件号码，例如 A123456789。
verify-ask-id-passport = 请输入您的护照或旅行证件号码。
verify-expected-text = 请以文字消息的形式输入您的回答。
verify-ask-phone = 接下来，请点击下方按钮分享您的手机号。该号码必须是您在平台上登记的手机号。
verify-phone-button = 📱 分享我的手机号
verify-phone-use-button = 请使用下方的“分享我的手机号”按钮；手动输入的号码无法受理。
verify-phone-not-yours = 这是其他人的联系人信息。请通过下方按钮分享您本人的手机号。
verify-phone-invalid = 无法识别此手机号。请通过下方按钮分享您本人的手机号。
verify-phone-mismatch = 此号码与您在平台登记的手机号（{ $reserved }）不一致。请使用绑定该号码的 Telegram 账号分享该号码，或联系平台更新手机号。
verify-identity-saved = 谢谢您，{ $name }。证件号码 { $idNumber } 已保存（部分隐藏显示）。
verify-ask-document = 接下来，请发送您的{ $region }照片：拍摄带有照片的一面。请将证件平放，使其占满画面，避免反光。
verify-challenge = 最后一步：请现在拍一张自拍，画面中需同时拍到您的脸和手。

    { $emoji } { $instruction }

    请在 { $minutes } 分钟内发送。
verify-challenge-late = 这张自拍超过了时限。这是新的手势，请重新拍摄。
verify-daily-limit = 您在 24 小时内已发送 { $max } 张自拍，这是一天内可接受的上限。请在 { $hours } 小时 { $minutes } 分钟后再试。
verify-daily-limit-again = 获取我的手势
verify-checking = 谢谢！正在检查您的照片……结果将在此对话中通知您。
