## Identity: ID numbers, names and regions typed by the seller.

identity-region-cn = Mainland China resident ID
identity-region-hk = Hong Kong identity card
identity-region-mo = Macau resident identity card
identity-region-tw = Taiwan ID card or resident certificate
identity-region-passport = Passport / other

identity-error-empty = Please enter your ID number.
identity-error-bad-length = This ID number should have { $expected } characters, but { $actual } were entered. Please check for missing or extra characters.
identity-error-bad-format = This does not look like a valid ID number. { $region ->
    [cn] A Mainland China ID number has 18 characters: 17 digits followed by a digit or the letter X.
    [hk] A Hong Kong ID number looks like A123456(3): one or two letters, six digits and a check character in brackets.
    [mo] A Macau ID number looks like 1234567(8): eight digits, starting with 1, 5, 7 or 8.
    [tw] A Taiwan ID number looks like A123456789: one letter followed by nine digits.
   *[other] A passport number has 5 to 20 letters and digits.
  }
identity-error-bad-province = The first two digits ({ $prefix }) are not a valid region code. Please check the number.
identity-error-bad-birth-date = The birth date { $date } in this ID number does not exist. Please check the digits.
identity-error-future-birth-date = The birth date { $date } in this ID number is in the future. Please check the digits.
identity-error-too-old = The birth date { $date } in this ID number is before 1900. Please check the digits.
identity-error-bad-check-digit = This ID number does not add up: one of the characters was probably mistyped. Please check it against your card.
identity-error-legacy-15-digit = This looks like an old 15-digit ID number. Please enter the 18-digit number on your current ID card.

identity-name-error-empty = Please enter your full name as it appears on your ID.
identity-name-error-too-short = A full name has at least { $min } characters. Please enter your full name as it appears on your ID.
identity-name-error-too-long = This name is longer than { $max } characters. Please enter your name as it appears on your ID.
identity-name-error-bad-characters = Names can contain only letters, spaces and the marks · - ' . This name contains “{ $char }”. Please remove it.
