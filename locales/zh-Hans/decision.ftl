## 客服人员对卖家认证作出决定时，卖家收到的消息。

decision-approved = ✅ 认证通过！客服人员已确认您的认证：您的店铺已完成实人认证。我们会在 { $nextRecheck } 前后请您做一次简短的复核。
decision-rejected = ❌ 客服人员未能确认您的认证。
    { $reason }
decision-reject-face-mismatch = 自拍中的人与证件不一致。如果您是这家店铺的经营者，请发送 /start，用您本人的证件和本人自拍重新认证。
decision-reject-document-invalid = 证件无效，或与您填写的信息不一致。请发送 /start，使用有效证件重新认证。
decision-reject-document-unreadable = 我们无法辨认您的证件。请发送 /start，拍一张清晰、光线充足的证件照片重新认证。
decision-reject-identity-in-use = 此身份已绑定另一家店铺。如果您认为有误，请联系平台客服。
decision-reject-suspected-fraud = 我们无法确认您就是证件本人。请联系平台客服。
decision-retake = 📸 客服人员请您重新拍一张自拍。准备好后请点按钮：您会得到一个新的手势，并有 { $minutes } 分钟时间发送照片。
decision-new-document = 🪪 客服人员请您重新拍一张证件照片。准备好后请点按钮；之后还需要拍一张带新手势的自拍。
decision-retake-button = 重新自拍
decision-new-document-button = 发送证件照片
