verify-consent = 開始之前：為確認您是這間商店的經營者，我們需要蒐集您的姓名、證件號碼、手機號碼及證件照片。這些資料僅用於驗證您的身分及防範身分冒用。證件號碼和手機號碼皆經過加密，絕不會完整顯示。商店關閉後，我們會保留這些資料 { $retentionDays } 天，之後予以刪除。

    請問您是否同意？
verify-consent-face = 臉部資料：我們會將您的自拍與證件上的照片進行比對，並保留一份臉部範本，以便日後再次驗證您的身分。照片和臉部範本皆經過加密，並會在 { $retentionDays } 天後刪除。

    請問您是否同意進行臉部比對？
verify-consent-agree = 我同意
verify-consent-decline = 我不同意
verify-manual-offer = 未經您的同意，我們無法進行自動驗證。您可以改為申請由客服人員人工審核。
verify-manual-request = 申請人工審核
verify-manual-cancel = 取消
verify-manual-requested = 已送出：客服人員會在此對話中與您聯絡。
verify-cancelled = 驗證已取消。如需重新開始，隨時傳送 /start 即可。
verify-case-moved = 您的驗證在此期間已有新進度。請傳送 /status 查看目前狀態。
verify-ask-region = 您將使用哪一種證件？
verify-ask-name = 請輸入您的完整姓名，須與{ $region }上的寫法完全相同。
verify-ask-id-cn = 請輸入您的 18 碼居民身份證號碼。
verify-ask-id-hk = 請輸入您的香港身份證號碼，例如 A123456(3)。
verify-ask-id-mo = 請輸入您的澳門居民身份證號碼，例如 1234567(8)。
verify-ask-id-tw = 請輸入您的證件號碼，例如 A123456789。
verify-ask-id-passport = 請輸入您的護照或旅行證件號碼。
verify-expected-text = 請以文字訊息輸入您的回答。
verify-ask-phone = 接下來，請點選下方按鈕分享您的手機號碼。此號碼必須是您在平台上登記的手機號碼。
verify-phone-button = 📱 分享我的手機號碼
verify-phone-use-button = 請使用下方的「分享我的手機號碼」按鈕；恕不接受手動輸入的號碼。
verify-phone-not-yours = 這是其他人的聯絡人資料。請透過下方按鈕分享您本人的手機號碼。
verify-phone-invalid = 無法讀取此手機號碼。請透過下方按鈕分享您本人的手機號碼。
verify-phone-mismatch = 此號碼與您在平台登記的手機號碼（{ $reserved }）不符。請使用綁定該號碼的 Telegram 帳號分享該號碼，或聯絡平台更新手機號碼。
verify-identity-saved = 謝謝您，{ $name }。證件號碼 { $idNumber } 已儲存（以部分遮蔽方式顯示）。
verify-ask-document = 接下來，請傳送您的{ $region }照片：拍攝有照片的那一面。請將證件平放、填滿畫面，並避免反光。
verify-challenge = 最後一步：請現在拍一張自拍，畫面中須同時拍到您的臉和手。

    { $emoji } { $instruction }

    請在 { $minutes } 分鐘內傳送。
verify-challenge-late = 這張自拍超過了時限。以下是新的手勢，請重新拍攝。
verify-daily-limit = 您在 24 小時內已傳送 { $max } 張自拍，這是一天內可接受的上限。請在 { $hours } 小時 { $minutes } 分鐘後再試。
verify-daily-limit-again = 取得我的手勢
verify-checking = 謝謝！正在檢查您的照片……結果將在此對話中通知您。
