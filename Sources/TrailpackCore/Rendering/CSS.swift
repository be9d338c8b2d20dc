/// Writing untrusted text into CSS.
enum CSS {
    /// A CSS string literal: quotes, backslashes, `<`, `>`, `&` and control characters written as
    /// CSS escapes (`\22 `), so the text can neither end the string nor a `<style>` element.
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"", "\\", "<", ">", "&": out += "\\" + String(u.value, radix: 16) + " "
            case _ where u.value < 0x20 || u.value == 0x7F: out += "\\" + String(u.value, radix: 16) + " "
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
