using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using HandlebarsDotNet;

namespace HeadlessLoan.Sandbox;

/// <summary>
/// Handlebars helpers the mapping files call for behaviour a static response cannot express:
/// fresh tokens, per-appid stable tokens and WeChat-style request ids.
/// </summary>
internal sealed class SandboxTemplateHelpers(TimeProvider timeProvider)
{
    // Marks every credential the sandbox hands out, so nobody mistakes one for a real token.
    internal const string TokenPrefix = "sandbox_";

    private readonly ConcurrentDictionary<string, string> _stableTokens = new(StringComparer.Ordinal);

    public void Register(IHandlebars handlebars)
    {
        // {{sandboxToken}}: a new token on every call, like /cgi-bin/token.
        handlebars.RegisterHelper("sandboxToken", (_, _) => NewToken());

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
    }

    internal string StableToken(string appId, bool forceRefresh) =>
        forceRefresh
            ? _stableTokens.AddOrUpdate(appId, _ => NewToken(), (_, _) => NewToken())
            : _stableTokens.GetOrAdd(appId, _ => NewToken());

    internal static string NewToken()
    {
        // Real tokens are long opaque strings of letters, digits, '-' and '_'; base64url keeps that alphabet.
        Span<byte> bytes = stackalloc byte[48];
        RandomNumberGenerator.Fill(bytes);
        return TokenPrefix + Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

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
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };

    // Only a JSON boolean true forces a refresh: WeChat documents force_refresh as a boolean.
    // The body arrives as a JSON token, whose IConvertible type code tells a boolean from a string.
    private static bool IsTrue(object? value) =>
        value is IConvertible convertible
        && convertible.GetTypeCode() == TypeCode.Boolean
        && convertible.ToBoolean(CultureInfo.InvariantCulture);
}
