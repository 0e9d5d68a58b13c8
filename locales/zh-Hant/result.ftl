result-pass = ✅ 驗證通過！感謝您：您的商店已完成實人驗證。我們會在 { $nextRecheck } 前後請您做一次簡短的複核。
result-fail = ❌ 這張自拍未通過：
    { $reasons }

    剩餘次數：{ $attemptsLeft }。請點選下方按鈕取得新的手勢後重試。
result-review = 🔎 感謝您。客服人員將人工審核您的驗證，並在此對話中回覆您，通常在一個工作天內。
    { $reasons }
result-retake-button = 換一個手勢重試
retake-not-possible = 目前沒有可以重拍的驗證。傳送 /status 查看驗證進度。
