## 身分資料：賣家輸入的證件號碼、姓名和證件類型。

identity-region-cn = 中國大陸居民身份證
identity-region-hk = 香港身份證
identity-region-mo = 澳門居民身份證
identity-region-tw = 臺灣身分證或居留證
identity-region-passport = 護照／其他證件

identity-error-empty = 請輸入證件號碼。
identity-error-bad-length = 證件號碼應為 { $expected } 碼，您輸入了 { $actual } 碼。請檢查是否有遺漏或多餘的字元。
identity-error-bad-format = 證件號碼格式不正確。{ $region ->
    [cn] 中國大陸身份證號碼共 18 碼：17 位數字，最後一碼為數字或字母 X。
    [hk] 香港身份證號碼的格式如 A123456(3)：一至兩個英文字母、六位數字，括號內為檢查碼。
    [mo] 澳門身份證號碼的格式如 1234567(8)：共八位數字，以 1、5、7 或 8 開頭。
    [tw] 臺灣身分證號碼的格式如 A123456789：一個英文字母加九位數字。
   *[other] 護照號碼由 5 至 20 個英文字母和數字組成。
  }
identity-error-bad-province = 號碼前兩碼（{ $prefix }）不是有效的地區代碼，請核對。
identity-error-bad-birth-date = 證件號碼中的出生日期 { $date } 不存在，請核對。
identity-error-future-birth-date = 證件號碼中的出生日期 { $date } 晚於今天，請核對。
identity-error-too-old = 證件號碼中的出生日期 { $date } 早於 1900 年，請核對。
identity-error-bad-check-digit = 證件號碼檢查未通過，可能有字元輸入錯誤。請對照證件重新核對。
identity-error-legacy-15-digit = 這是舊版 15 碼身份證號碼。請輸入現行身份證上的 18 碼號碼。

identity-name-error-empty = 請輸入與證件相符的姓名。
identity-name-error-too-short = 姓名至少需要 { $min } 個字。請輸入與證件相符的完整姓名。
identity-name-error-too-long = 姓名不可超過 { $max } 個字。請輸入與證件相符的姓名。
identity-name-error-bad-characters = 姓名只能包含文字、空格及 · - ' . 等符號，您輸入的姓名中含有「{ $char }」，請刪除後再試。
