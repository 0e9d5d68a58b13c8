common-button-stale = This button is no longer active.
common-use-buttons = Please choose with the buttons above.
common-error-retry = Something went wrong on our side while saving this. Please send it again.
common-error-internal = Sorry, something went wrong on our side. Your progress is saved; please try again in a moment.
common-rate-limited = You are sending messages very fast. Please slow down: I will answer one message at a time.
fallback-hint = Send /start to verify your shop, /status to see where your verification stands, or /help.
