command-start = 开始或继续认证
command-status = 查看认证进度
command-cancel = 取消当前步骤
command-language = 切换语言
command-help = 帮助
help = 我负责确认您本人就是店铺的经营者。

    /start：开始或继续认证
    /status：查看认证进度
    /cancel：取消正在进行的认证
    /language：切换语言（中文 / English）
    /deleteme：删除您为认证提供的数据

    您的证件号码和手机号均经过加密，仅以部分隐藏的形式显示。
cancel-nothing = 当前没有可取消的操作。
language-choose = 请选择语言：
language-name-zh-Hans = 简体中文
language-name-zh-Hant = 繁體中文
language-name-en = English
language-changed = 语言已切换为简体中文。
status-none = 您尚未开始认证。发送 /start 即可开始。
status-seller-unverified = 未认证
status-seller-verified = 已认证
status-seller-recheck_due = 待重新认证
status-seller-restricted = 已受限
status-case-collecting = 店铺状态：{ $sellerStatus }。
    认证正在进行中：请在此对话中回答最后一个问题（发送 /start 可再次显示）。
status-case-awaiting_selfie = 店铺状态：{ $sellerStatus }。
    正在等待您的自拍：{ $gesture }。剩余时间：{ $minutesLeft } 分钟。超时后，您将收到一个新的手势。
status-case-queued = 店铺状态：{ $sellerStatus }。
    您的自拍（第 { $attempt } 次，共 { $maxAttempts } 次）正在等待自动审核。结果将在此对话中通知您。
status-case-checking = 店铺状态：{ $sellerStatus }。
    正在检查您的照片（第 { $attempt } 次，共 { $maxAttempts } 次）。
status-case-passed = 店铺状态：{ $sellerStatus }。
    您最近一次认证已通过。下次复核时间：{ $nextRecheck }。
status-case-failed = 店铺状态：{ $sellerStatus }。
    您最近一次尝试（第 { $attempt } 次，共 { $maxAttempts } 次）未通过：
    { $reasons }
status-case-review = 店铺状态：{ $sellerStatus }。
    您的认证正在人工审核中，客服人员会在此对话中与您联系。
status-case-rejected = 店铺状态：{ $sellerStatus }。
    客服人员驳回了您最近一次认证：{ $reasons }
status-case-cancelled = 店铺状态：{ $sellerStatus }。
    您最近一次认证已取消。发送 /start 即可重新开始。
status-case-expired = 店铺状态：{ $sellerStatus }。
    您最近一次认证已过期。发送 /start 即可重新开始。
