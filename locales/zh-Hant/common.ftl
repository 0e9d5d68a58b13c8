common-button-stale = 此按鈕已失效。
common-use-buttons = 請使用上方的按鈕進行選擇。
common-error-retry = 儲存時我們這邊發生問題，請重新傳送。
common-error-internal = 抱歉，我們這邊發生問題。您的進度已儲存，請稍後再試。
common-rate-limited = 您傳送訊息的速度太快了，請放慢一點：我會逐則回覆。
fallback-hint = 傳送 /start 驗證您的商店，傳送 /status 查看驗證進度，或傳送 /help 取得說明。
