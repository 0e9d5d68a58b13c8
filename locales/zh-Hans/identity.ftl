## 身份信息：卖家输入的证件号码、姓名和证件类型。

identity-region-cn = 中国大陆居民身份证
identity-region-hk = 香港身份证
identity-region-mo = 澳门居民身份证
identity-region-tw = 台湾身份证或居留证
identity-region-passport = 护照／其他证件

identity-error-empty = 请输入证件号码。
identity-error-bad-length = 证件号码应为 { $expected } 位，您输入了 { $actual } 位。请检查是否有遗漏或多余的字符。
identity-error-bad-format = 证件号码格式不正确。{ $region ->
    [cn] 中国大陆身份证号码共 18 位：17 位数字，最后一位为数字或字母 X。
    [hk] 香港身份证号码的格式如 A123456(3)：一至两个字母、六位数字，括号内为校验码。
    [mo] 澳门身份证号码的格式如 1234567(8)：共八位数字，以 1、5、7 或 8 开头。
    [tw] 台湾身份证号码的格式如 A123456789：一个字母加九位数字。
   *[other] 护照号码由 5 至 20 个字母和数字组成。
  }
identity-error-bad-province = 号码前两位（{ $prefix }）不是有效的地区代码，请核对。
identity-error-bad-birth-date = 身份证号中的出生日期 { $date } 不存在，请核对。
identity-error-future-birth-date = 身份证号中的出生日期 { $date } 晚于今天，请核对。
identity-error-too-old = 身份证号中的出生日期 { $date } 早于 1900 年，请核对。
identity-error-bad-check-digit = 证件号码校验未通过，可能有字符输入错误。请对照证件重新核对。
identity-error-legacy-15-digit = 这是旧版 15 位身份证号码。请输入现行身份证上的 18 位号码。

identity-name-error-empty = 请输入与证件一致的姓名。
identity-name-error-too-short = 姓名至少需要 { $min } 个字。请输入与证件一致的完整姓名。
identity-name-error-too-long = 姓名不能超过 { $max } 个字。请输入与证件一致的姓名。
identity-name-error-bad-characters = 姓名只能包含文字、空格及 · - ' . 等符号，您输入的姓名中含有“{ $char }”，请删除后重试。
