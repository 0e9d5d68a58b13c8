command-start = Start or continue verification
command-status = Where my verification stands
command-cancel = Cancel the current step
command-language = Change language
command-help = Help
help = I verify that you are the person who runs your shop.

    /start: start or continue verification
    /status: where your verification stands
    /cancel: cancel the verification in progress
    /language: change language (中文 / English)
    /deleteme: erase the data you gave for verification

    Your ID number and phone are encrypted and shown only masked.
cancel-nothing = There is nothing to cancel.
language-choose = Choose your language:
language-name-zh-Hans = 简体中文
language-name-zh-Hant = 繁體中文
language-name-en = English
language-changed = Language changed to English.
status-none = You have not started a verification yet. Send /start to begin.
status-seller-unverified = not verified
status-seller-verified = verified
status-seller-recheck_due = re-verification due
status-seller-restricted = restricted
status-case-collecting = Shop status: { $sellerStatus }.
    Your verification is in progress: please answer the last question in this chat (/start shows it again).
status-case-awaiting_selfie = Shop status: { $sellerStatus }.
    Waiting for your selfie: { $gesture }. Time left: { $minutesLeft } min. If the time runs out, you will get a new gesture.
status-case-queued = Shop status: { $sellerStatus }.
    Your selfie (attempt { $attempt } of { $maxAttempts }) is waiting for the automated check. You will get the result in this chat.
status-case-checking = Shop status: { $sellerStatus }.
    Your photos are being checked right now (attempt { $attempt } of { $maxAttempts }).
status-case-passed = Shop status: { $sellerStatus }.
    Your last verification passed. Next check: { $nextRecheck }.
status-case-failed = Shop status: { $sellerStatus }.
    Your last attempt ({ $attempt } of { $maxAttempts }) did not pass:
    { $reasons }
status-case-review = Shop status: { $sellerStatus }.
    Your verification is with our support staff. They will contact you in this chat.
status-case-rejected = Shop status: { $sellerStatus }.
    Our support staff rejected your last verification: { $reasons }
status-case-cancelled = Shop status: { $sellerStatus }.
    Your last verification was cancelled. Send /start to begin again.
status-case-expired = Shop status: { $sellerStatus }.
    Your last verification expired. Send /start to begin again.
