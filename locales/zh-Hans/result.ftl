result-pass = ✅ 认证通过！感谢您：您的店铺已完成实人认证。我们会在 { $nextRecheck } 前后请您做一次简短的复核。
result-fail = ❌ 这张自拍未通过：
    { $reasons }

    剩余次数：{ $attemptsLeft }。请点击下方按钮获取新的手势后重试。
result-review = 🔎 感谢您。客服人员将人工审核您的认证，并在此对话中回复您，通常在一个工作日内。
    { $reasons }
result-retake-button = 换一个手势重试
retake-not-possible = 目前没有可以重拍的认证。发送 /status 查看认证进度。
