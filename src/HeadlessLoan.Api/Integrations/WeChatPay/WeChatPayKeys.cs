using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

/// <summary>
/// The merchant's key material, read from <see cref="WeChatPayOptions"/>: the private key that signs our requests and
/// WeChat Pay's keys that sign its answers and notifications, by serial. A serial starting <c>PUB_KEY_ID_</c> names the
/// WeChat Pay public key; any other names a platform certificate. Both kinds may be configured at once, as while a
/// merchant moves from certificates to the public key.
/// </summary>
public sealed class WeChatPayKeys
{
    public const string PublicKeyIdPrefix = "PUB_KEY_ID_";
    public const int ApiV3KeyLength = 32;

    private readonly Dictionary<string, RSA> _verifiers;

    private WeChatPayKeys(WeChatPayOptions options, RSA merchantKey, byte[] apiV3Key, Dictionary<string, RSA> verifiers)
    {
        Options = options;
        MerchantKey = merchantKey;
        ApiV3Key = apiV3Key;
        _verifiers = verifiers;
    }

    public WeChatPayOptions Options { get; }

    public RSA MerchantKey { get; }

    public byte[] ApiV3Key { get; }

    public IReadOnlyCollection<string> Serials => _verifiers.Keys;

    /// <summary>The key that verifies what WeChat Pay signed under <paramref name="serial"/>, or null for a serial we do not know.</summary>
    public RSA? VerifierFor(string serial) => _verifiers.GetValueOrDefault(serial);

    /// <summary>The keys, or what is wrong with the settings (each problem named by its setting, never its value).</summary>
    public static (WeChatPayKeys? Keys, List<string> Problems) Load(WeChatPayOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var merchantKey = ReadPrivateKey(options.MerchantPrivateKey, contentRoot, problems);
        var apiV3Key = Encoding.UTF8.GetBytes(options.ApiV3Key);
        if (apiV3Key.Length != ApiV3KeyLength)
        {
            problems.Add($"WeChatPay:ApiV3Key must be {ApiV3KeyLength} bytes (the APIv3 key set in the merchant platform), not {apiV3Key.Length}.");
        }

        var verifiers = new Dictionary<string, RSA>(StringComparer.OrdinalIgnoreCase);
        foreach (var (serial, value) in options.PlatformCertificates)
        {
            AddCertificate(serial, value, contentRoot, verifiers, problems);
        }

        AddPublicKey(options, contentRoot, verifiers, problems);
        if (verifiers.Count == 0 && problems.Count == 0)
        {
            problems.Add("WeChatPay needs a key to verify WeChat Pay with: WeChatPay:PublicKeyId and WeChatPay:PublicKey, " +
                         "and/or WeChatPay:PlatformCertificates:<serial>.");
        }

        return problems.Count == 0 ? (new WeChatPayKeys(options, merchantKey!, apiV3Key, verifiers), problems) : (null, problems);
    }

    private static RSA? ReadPrivateKey(string value, string contentRoot, List<string> problems)
    {
        const string setting = "WeChatPay:MerchantPrivateKey";
        if (Pem(value, setting, contentRoot, problems) is not { } pem)
        {
            return null;
        }

        try
        {
            var key = RSA.Create();
            key.ImportFromPem(pem);
            if (key.KeySize < 2048)
            {
                problems.Add($"{setting} must be an RSA key of at least 2048 bits, not {key.KeySize}.");
            }

            // A public key imports too, but cannot sign: found now, not at the first payment.
            key.ExportParameters(includePrivateParameters: true);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            problems.Add($"{setting} is not an RSA private key in PEM (PKCS#8 'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY').");
            return null;
        }
    }

    private static void AddCertificate(string serial, string value, string contentRoot, Dictionary<string, RSA> verifiers, List<string> problems)
    {
        var setting = $"WeChatPay:PlatformCertificates:{serial}";
        if (serial.StartsWith(PublicKeyIdPrefix, StringComparison.Ordinal))
        {
            problems.Add($"{setting}: a {PublicKeyIdPrefix}… id names the WeChat Pay public key; set it as WeChatPay:PublicKeyId and WeChatPay:PublicKey.");
            return;
        }

        if (Pem(value, setting, contentRoot, problems) is not { } pem)
        {
            return;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            if (!string.Equals(certificate.SerialNumber, serial, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{setting} holds the certificate with serial {certificate.SerialNumber}: the setting's name must be its serial.");
                return;
            }

            verifiers[serial] = certificate.GetRSAPublicKey()
                ?? throw new CryptographicException("not an RSA certificate");
        }
        catch (CryptographicException)
        {
            problems.Add($"{setting} is not an RSA certificate in PEM ('BEGIN CERTIFICATE').");
        }
    }

    private static void AddPublicKey(WeChatPayOptions options, string contentRoot, Dictionary<string, RSA> verifiers, List<string> problems)
    {
        var hasId = !string.IsNullOrWhiteSpace(options.PublicKeyId);
        var hasKey = !string.IsNullOrWhiteSpace(options.PublicKey);
        if (!hasId && !hasKey)
        {
            return;
        }

        if (!hasId || !hasKey)
        {
            problems.Add("WeChatPay:PublicKeyId and WeChatPay:PublicKey go together: set both or neither.");
            return;
        }

        if (!options.PublicKeyId!.StartsWith(PublicKeyIdPrefix, StringComparison.Ordinal))
        {
            problems.Add($"WeChatPay:PublicKeyId must start with {PublicKeyIdPrefix}.");
            return;
        }

        if (Pem(options.PublicKey!, "WeChatPay:PublicKey", contentRoot, problems) is not { } pem)
        {
            return;
        }

        try
        {
            var key = RSA.Create();
            key.ImportFromPem(pem);
            verifiers[options.PublicKeyId] = key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            problems.Add("WeChatPay:PublicKey is not an RSA public key in PEM ('BEGIN PUBLIC KEY').");
        }
    }

    /// <summary>The setting's PEM: the value itself when it is PEM, else the file it names.</summary>
    private static string? Pem(string value, string setting, string contentRoot, List<string> problems)
    {
        if (value.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return value;
        }

        var path = Path.GetFullPath(value, contentRoot);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{setting} is neither PEM nor a readable file ({path}: {e.GetType().Name}).");
            return null;
        }
    }
}

/// <summary>
/// The keys of the options in force: read again when the configuration changes (a rotated key, a new platform
/// certificate), kept otherwise.
/// </summary>
public sealed class WeChatPayKeyRing(IOptionsMonitor<WeChatPayOptions> options, IHostEnvironment environment)
{
    private volatile WeChatPayKeys? _current;

    public WeChatPayKeys Current
    {
        get
        {
            var o = options.CurrentValue;
            if (_current is { } kept && ReferenceEquals(kept.Options, o))
            {
                return kept;
            }

            var (keys, problems) = WeChatPayKeys.Load(o, environment.ContentRootPath);
            _current = keys ?? throw new OptionsValidationException(WeChatPayOptions.Section, typeof(WeChatPayOptions), problems);
            return keys;
        }
    }
}

/// <summary>Checks at start (and on every change) that the keys can be read, naming each setting that is wrong.</summary>
public sealed class WeChatPayOptionsValidator(IHostEnvironment environment) : IValidateOptions<WeChatPayOptions>
{
    public ValidateOptionsResult Validate(string? name, WeChatPayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.MerchantPrivateKey) || string.IsNullOrEmpty(options.ApiV3Key))
        {
            return ValidateOptionsResult.Skip; // Named by the required-field checks.
        }

        var (_, problems) = WeChatPayKeys.Load(options, environment.ContentRootPath);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
