common-button-stale = 此按钮已失效。
common-use-buttons = 请使用上方的按钮进行选择。
common-error-retry = 保存时我们这边出了点问题，请重新发送。
common-error-internal = 抱歉，我们这边出了点问题。您的进度已保存，请稍后再试。
common-rate-limited = 您发送消息太快了，请慢一点：我会逐条回复。
fallback-hint = 发送 /start 认证您的店铺，发送 /status 查看认证进度，或发送 /help 获取帮助。
