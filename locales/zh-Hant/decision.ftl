## 客服人員對賣家驗證作出決定時，賣家收到的訊息。

decision-approved = ✅ 驗證通過！客服人員已確認您的驗證：您的商店已完成實人驗證。我們會在 { $nextRecheck } 前後請您做一次簡短的複核。
decision-rejected = ❌ 客服人員未能確認您的驗證。
    { $reason }
decision-reject-face-mismatch = 自拍中的人與證件不一致。如果您是這家商店的經營者，請傳送 /start，用您本人的證件和本人自拍重新驗證。
decision-reject-document-invalid = 證件無效，或與您填寫的資料不一致。請傳送 /start，使用有效證件重新驗證。
decision-reject-document-unreadable = 我們無法辨認您的證件。請傳送 /start，拍一張清晰、光線充足的證件照片重新驗證。
decision-reject-identity-in-use = 此身分已綁定另一家商店。如果您認為有誤，請聯絡平台客服。
decision-reject-suspected-fraud = 我們無法確認您就是證件本人。請聯絡平台客服。
decision-retake = 📸 客服人員請您重新拍一張自拍。準備好後請點選按鈕：您會得到一個新的手勢，並有 { $minutes } 分鐘時間傳送照片。
decision-new-document = 🪪 客服人員請您重新拍一張證件照片。準備好後請點選按鈕；之後還需要拍一張帶新手勢的自拍。
decision-retake-button = 重新自拍
decision-new-document-button = 傳送證件照片
