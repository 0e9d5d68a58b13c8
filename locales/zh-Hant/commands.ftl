command-start = 開始或繼續驗證
command-status = 查看驗證進度
command-cancel = 取消目前步驟
command-language = 切換語言
command-help = 說明
help = 我負責確認您本人就是商店的經營者。

    /start：開始或繼續驗證
    /status：查看驗證進度
    /cancel：取消進行中的驗證
    /language：切換語言（中文 / English）
    /deleteme：刪除您為驗證提供的資料

    您的證件號碼和手機號碼皆經過加密，僅以部分遮蔽的方式顯示。
cancel-nothing = 目前沒有可取消的操作。
language-choose = 請選擇語言：
language-name-zh-Hans = 简体中文
language-name-zh-Hant = 繁體中文
language-name-en = English
language-changed = 語言已切換為繁體中文。
status-none = 您尚未開始驗證。傳送 /start 即可開始。
status-seller-unverified = 未驗證
status-seller-verified = 已驗證
status-seller-recheck_due = 待重新驗證
status-seller-restricted = 已受限
status-case-collecting = 商店狀態：{ $sellerStatus }。
    驗證正在進行中：請在此對話中回答最後一個問題（傳送 /start 可再次顯示）。
status-case-awaiting_selfie = 商店狀態：{ $sellerStatus }。
    正在等待您的自拍：{ $gesture }。剩餘時間：{ $minutesLeft } 分鐘。逾時後，您將收到新的手勢。
status-case-queued = 商店狀態：{ $sellerStatus }。
    您的自拍（第 { $attempt } 次，共 { $maxAttempts } 次）正在等待自動檢查。結果將在此對話中通知您。
status-case-checking = 商店狀態：{ $sellerStatus }。
    正在檢查您的照片（第 { $attempt } 次，共 { $maxAttempts } 次）。
status-case-passed = 商店狀態：{ $sellerStatus }。
    您最近一次驗證已通過。下次驗證時間：{ $nextRecheck }。
status-case-failed = 商店狀態：{ $sellerStatus }。
    您最近一次嘗試（第 { $attempt } 次，共 { $maxAttempts } 次）未通過：
    { $reasons }
status-case-review = 商店狀態：{ $sellerStatus }。
    您的驗證正在人工審核中，客服人員會在此對話中與您聯絡。
status-case-rejected = 商店狀態：{ $sellerStatus }。
    客服人員駁回了您最近一次驗證：{ $reasons }
status-case-cancelled = 商店狀態：{ $sellerStatus }。
    您最近一次驗證已取消。傳送 /start 即可重新開始。
status-case-expired = 商店狀態：{ $sellerStatus }。
    您最近一次驗證已過期。傳送 /start 即可重新開始。
