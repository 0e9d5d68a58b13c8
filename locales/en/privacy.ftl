## /deleteme: a seller erases the data they gave for verification.

deleteme-confirm = This erases what you gave us for verification: your ID details (name, ID number, phone), your ID and selfie photos, and your face template. A verification in progress is cancelled, and your shop shows as not verified until you verify again.

    We keep, to prevent fraud: the record of what was decided about your shop, with masked details only (like 1101**********002X), and a one-way fingerprint of your ID number, so that it cannot be used for another shop unnoticed. Neither can be turned back into your data.

    Erase your data now?
deleteme-yes = Erase my data
deleteme-no = Keep it
deleteme-kept = Nothing was erased.
deleteme-done = ✅ Erased: { $photos } photos, { $identities } sets of ID details, your face template and any verification in progress. Your shop now shows as not verified.
    Kept, as explained: the masked record of decisions and the fingerprint of your ID number.
    Send /start whenever you want to verify again.
deleteme-nothing = We hold no ID details, photos or face template of yours.
deleteme-already = Already erased.
command-deleteme = Erase my data
