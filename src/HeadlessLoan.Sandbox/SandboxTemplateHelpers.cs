using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using HandlebarsDotNet;

namespace HeadlessLoan.Sandbox;

/// <summary>
/// Handlebars helpers the mapping files call for behaviour a static response cannot express:
/// fresh tokens, per-appid stable tokens, WeChat-style request ids, login identities derived from
/// the login code, phone numbers chosen by the phone code, timestamps, and numbered applicants' ID and card numbers.
/// </summary>
internal sealed class SandboxTemplateHelpers(TimeProvider timeProvider)
{
    // Marks every credential the sandbox hands out, so nobody mistakes one for a real token.
    internal const string TokenPrefix = "sandbox_";

    internal const string OpenIdPrefix = "o_sandbox_";
    internal const string UnionIdPrefix = "u_sandbox_";
    internal const string DefaultPhoneNumber = "13800138000";
    internal const string UnknownTokenAppId = "wx_sandbox_unknown_token";

    private const string PhoneCodePrefix = "sandbox_phone_";

    /// <summary>Login codes <c>sandbox_subscribe_&lt;errcode&gt;_…</c> name borrowers whose subscribe messages WeChat refuses with errcode.</summary>
    private static readonly System.Text.RegularExpressions.Regex SubscribeRefusalCode =
        new("^sandbox_subscribe_(?<errcode>43101|47003|40003)_", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    // Remembers which appid each token was issued to, for the phone-number watermark. Bounded so a
    // long-running sandbox cannot grow without limit; forgetting only changes the watermark appid.
    private const int MaxRememberedTokens = 10_000;

    // Beijing time: WeChat and the bureau speak UTC+8, which has no daylight saving.
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private static readonly System.Buffers.SearchValues<char> AppIdCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    private readonly ConcurrentDictionary<string, string> _stableTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokenAppIds = new(StringComparer.Ordinal);

    public void Register(IHandlebars handlebars)
    {
        // {{sandboxToken appid}}: a new token on every call, like /cgi-bin/token.
        handlebars.RegisterHelper("sandboxToken", (_, arguments) =>
            Remember(NewToken(), arguments.Length > 0 ? AsString(arguments[0]) : null));

        // {{sandboxStableToken appid force_refresh}}: like /cgi-bin/stable_token, the same token per appid
        // until a forced refresh replaces (and so invalidates) it.
        handlebars.RegisterHelper("sandboxStableToken", (_, arguments) =>
        {
            var appId = arguments.Length > 0 ? AsString(arguments[0]) : null;
            var forceRefresh = arguments.Length > 1 && IsTrue(arguments[1]);
            return StableToken(appId ?? string.Empty, forceRefresh);
        });

        // {{sandboxRid}}: WeChat appends "rid: …" to every errmsg; clients must not match errmsg text exactly.
        handlebars.RegisterHelper("sandboxRid", (_, _) => NewRid());

        // {{sandboxOpenId code}} / {{sandboxUnionId code}}: the same login code always names the same borrower.
        handlebars.RegisterHelper("sandboxOpenId", (_, arguments) => OpenId(Argument(arguments, 0)));
        handlebars.RegisterHelper("sandboxUnionId", (_, arguments) => UnionId(Argument(arguments, 0)));

        // {{sandboxSubscribeOpenId code}}: for sandbox_subscribe_<errcode>_… codes, an openid that carries the errcode.
        handlebars.RegisterHelper("sandboxSubscribeOpenId", (_, arguments) => SubscribeOpenId(Argument(arguments, 0)));

        // {{sandboxSessionKey}}: like WeChat, a fresh base64 16-byte key on every login.
        handlebars.RegisterHelper("sandboxSessionKey", (_, _) => NewSessionKey());

        // {{sandboxPhone code}}: the 11 digits of sandbox_phone_<digits>, else the default number.
        handlebars.RegisterHelper("sandboxPhone", (_, arguments) => PhoneNumber(Argument(arguments, 0)));

        // {{sandboxTokenAppId access_token}}: the appid the token was issued to, for watermarks.
        handlebars.RegisterHelper("sandboxTokenAppId", (_, arguments) => TokenAppId(Argument(arguments, 0)));

        // {{sandboxUnixTime}} and {{sandboxNow}}: the current time in seconds, and as RFC 3339 in UTC+8.
        handlebars.RegisterHelper("sandboxUnixTime", (_, _) => timeProvider.GetUtcNow().ToUnixTimeSeconds());
        handlebars.RegisterHelper("sandboxNow", (_, _) =>
            timeProvider.GetUtcNow().ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));

        // {{sandboxReportId}}: a unique credit report id.
        handlebars.RegisterHelper("sandboxReportId", (_, _) => "rpt_sandbox_" + RandomHex(12));

        // {{sandboxMarkedIdNumber request.bodyAsBytes 'hl-sandbox:id-front-valid:'}} and
        // {{sandboxMarkedCardNumber request.bodyAsBytes 'hl-sandbox:card-valid:'}}: the numbered applicant's ID number or
        // card, from the number after the prefix in the uploaded image (the mapping's matcher made sure there is one).
        handlebars.RegisterHelper("sandboxMarkedIdNumber", (_, arguments) => Marked(arguments, SandboxApplicants.IdNumber));
        handlebars.RegisterHelper("sandboxMarkedCardNumber", (_, arguments) => Marked(arguments, SandboxApplicants.CardNumber));
    }

    private static string Marked(Arguments arguments, Func<int, string> applicant) =>
        arguments.Length > 1 && AsString(arguments[1]) is { } prefix && SandboxApplicants.NumberIn(arguments[0], prefix) is { } number
            ? applicant(number)
            : throw new HandlebarsRuntimeException("the image carries no numbered marker for this template");

    internal string StableToken(string appId, bool forceRefresh) =>
        Remember(
            forceRefresh
                ? _stableTokens.AddOrUpdate(appId, _ => NewToken(), (_, _) => NewToken())
                : _stableTokens.GetOrAdd(appId, _ => NewToken()),
            appId);

    internal string TokenAppId(string? token)
    {
        if (token is null)
        {
            return UnknownTokenAppId;
        }

        if (_tokenAppIds.TryGetValue(token, out var appId))
        {
            return appId;
        }

        // A current stable token is always known, even after the bounded map was cleared.
        foreach (var (stableAppId, stableToken) in _stableTokens)
        {
            if (string.Equals(stableToken, token, StringComparison.Ordinal))
            {
                return stableAppId;
            }
        }

        return UnknownTokenAppId;
    }

    // 28 characters like a real openid: the prefix and 18 base64url characters of SHA-256(code).
    internal static string OpenId(string? code) => OpenIdPrefix + Digest("openid:", code);

    /// <summary>
    /// <c>osbx&lt;errcode&gt;_</c> and 18 characters of SHA-256(code), 28 in all like a real openid, for a
    /// <c>sandbox_subscribe_&lt;errcode&gt;_…</c> code: subscribe/send refuses it with errcode. Any other code: its usual openid.
    /// </summary>
    internal static string SubscribeOpenId(string? code) =>
        code is not null && SubscribeRefusalCode.Match(code) is { Success: true } m
            ? $"osbx{m.Groups["errcode"].Value}_" + Digest("openid:", code)
            : OpenId(code);

    internal static string UnionId(string? code) => UnionIdPrefix + Digest("unionid:", code);

    internal static string PhoneNumber(string? code) =>
        code is not null
        && code.Length == PhoneCodePrefix.Length + 11
        && code.StartsWith(PhoneCodePrefix, StringComparison.Ordinal)
        && !code.AsSpan(PhoneCodePrefix.Length).ContainsAnyExceptInRange('0', '9')
            ? code[PhoneCodePrefix.Length..]
            : DefaultPhoneNumber;

    internal static string NewSessionKey()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes);
    }

    private string Remember(string token, string? appId)
    {
        // Only appids that are safe inside a JSON string template are remembered (real ones are wx + 16 hex).
        if (string.IsNullOrEmpty(appId) || appId.AsSpan().ContainsAnyExcept(AppIdCharacters))
        {
            return token;
        }

        if (_tokenAppIds.Count >= MaxRememberedTokens)
        {
            _tokenAppIds.Clear();
        }

        _tokenAppIds[token] = appId;
        return token;
    }

    private static string Digest(string purpose, string? code)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(purpose + code));
        return Convert.ToBase64String(hash).Replace('+', '-').Replace('/', '_')[..18];
    }

    private static string RandomHex(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string? Argument(Arguments arguments, int index) =>
        arguments.Length > index ? AsString(arguments[index]) : null;

    internal static string NewToken()
    {
        // Real tokens are long opaque strings of letters, digits, '-' and '_'; base64url keeps that alphabet.
        Span<byte> bytes = stackalloc byte[48];
        RandomNumberGenerator.Fill(bytes);
        return TokenPrefix + Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>A WeChat-style request id, for errmsg built in code.</summary>
    internal string Rid() => NewRid();

    private string NewRid()
    {
        var seconds = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        var hex = Convert.ToHexStringLower(bytes);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds:x8}-{hex[..8]}-{hex[8..]}");
    }

    private static string? AsString(object? value) =>
        value switch
        {
            null => null,
            UndefinedBindingResult => null,
            // Query parameters arrive as a list of values; WeChat reads the first.
            IEnumerable<string> values when value is not string => values.FirstOrDefault(),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };

    // Only a JSON boolean true forces a refresh: WeChat documents force_refresh as a boolean.
    // The body arrives as a JSON token, whose IConvertible type code tells a boolean from a string.
    private static bool IsTrue(object? value) =>
        value is IConvertible convertible
        && convertible.GetTypeCode() == TypeCode.Boolean
        && convertible.ToBoolean(CultureInfo.InvariantCulture);
}
