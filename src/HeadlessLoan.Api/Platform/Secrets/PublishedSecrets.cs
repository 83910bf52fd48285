using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HeadlessLoan.Api.Platform.Secrets;

/// <summary>
/// The passwords and keys published in this repository — docker-compose.yml's defaults, appsettings.Development.json and
/// the test-only private keys (PEM files) — which anyone can read. Outside Development the service refuses to start while
/// any setting holds one of them: as its value, inside its value (a connection string's password), or, for a key setting
/// that names a file, as the file's content. PEM is compared by its Base64 body, so line breaks and labels do not hide a
/// published key. The files are embedded as they are built, so the list can never fall behind them.
/// </summary>
public static partial class PublishedSecrets
{
    private const int ShortestSecret = 8;

    /// <summary>A key file larger than this is not read: no PEM key is.</summary>
    private const int LargestKeyFile = 64 * 1024;

    private const string PublishedKeyPrefix = "Published.key.";

    /// <summary>Every published secret value.</summary>
    public static IReadOnlySet<string> Values { get; } = Load();

    /// <summary>
    /// The settings whose value is, or contains (a connection string's password), a published secret; for a key setting
    /// whose value is a file path (relative ones from <paramref name="contentRoot"/>), also the file's content.
    /// </summary>
    public static IReadOnlyList<string> FoundIn(IConfiguration configuration, string? contentRoot = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.AsEnumerable()
            .Where(setting => setting.Value is { Length: >= ShortestSecret } value
                              && Candidates(setting.Key, value, contentRoot).Any(c => Values.Any(secret => c.Contains(secret, StringComparison.Ordinal))))
            .Select(setting => setting.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>What a setting's value holds: itself, the Base64 body of PEM in it, and the content of the key file it names.</summary>
    private static IEnumerable<string> Candidates(string key, string value, string? contentRoot)
    {
        yield return value;
        if (PemBody(value) is { } pem)
        {
            yield return pem;
        }
        else if (SecretName().IsMatch(key[(key.LastIndexOf(':') + 1)..]) && ReadKeyFile(value, contentRoot) is { } file)
        {
            yield return file;
            if (PemBody(file) is { } filePem)
            {
                yield return filePem;
            }
        }
    }

    private static string? ReadKeyFile(string value, string? contentRoot)
    {
        try
        {
            var path = Path.GetFullPath(value, contentRoot ?? Directory.GetCurrentDirectory());
            return File.Exists(path) && new FileInfo(path).Length <= LargestKeyFile ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null; // Not a readable file: then it is only a value.
        }
    }

    /// <summary>The Base64 of the first PEM block in <paramref name="text"/>, without line breaks; null when there is none.</summary>
    private static string? PemBody(string text)
    {
        var begin = text.IndexOf("-----BEGIN", StringComparison.Ordinal);
        var bodyStart = begin < 0 ? -1 : text.IndexOf("-----", begin + 10, StringComparison.Ordinal);
        var end = bodyStart < 0 ? -1 : text.IndexOf("-----END", bodyStart + 5, StringComparison.Ordinal);
        return end < 0 ? null : string.Concat(text[(bodyStart + 5)..end].Where(c => !char.IsWhiteSpace(c)));
    }

    /// <summary>Throws, naming the settings (never their values), when a published secret is used outside Development.</summary>
    public static void RefuseOutsideDevelopment(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.IsDevelopment() || FoundIn(configuration, environment.ContentRootPath) is not { Count: > 0 } found)
        {
            return;
        }

        throw new InvalidOperationException(
            $"The {environment.EnvironmentName} environment uses secrets published in the repository (docker-compose.yml defaults or " +
            $"appsettings.Development.json, or the test-only key files) for: {string.Join(", ", found)}. Anyone can read them: set your own values, or run in Development.");
    }

    private static HashSet<string> Load()
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in ComposeDefault().Matches(Read("Published.docker-compose.yml")))
        {
            if (SecretName().IsMatch(m.Groups["name"].Value))
            {
                values.Add(m.Groups["value"].Value);
            }
        }

        using var settings = JsonDocument.Parse(Read("Published.appsettings.Development.json"), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        Collect(settings.RootElement, "", values);
        foreach (var resource in Assembly.GetExecutingAssembly().GetManifestResourceNames().Where(n => n.StartsWith(PublishedKeyPrefix, StringComparison.Ordinal)))
        {
            values.Add(PemBody(Read(resource)) ?? throw new InvalidOperationException($"The embedded key {resource} holds no PEM."));
        }

        values.RemoveWhere(v => v.Length < ShortestSecret);
        return values;
    }

    private static void Collect(JsonElement element, string path, HashSet<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}", values);
                }

                break;
            case JsonValueKind.String:
                var value = element.GetString()!;
                if (SecretName().IsMatch(path[(path.LastIndexOf(':') + 1)..]) || path.Contains(":Keys:", StringComparison.Ordinal))
                {
                    values.Add(value);
                }
                else if (ConnectionPassword().Match(value) is { Success: true } password)
                {
                    values.Add(password.Groups["password"].Value);
                }

                break;
        }
    }

    private static string Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary><c>${NAME:-default}</c> in a compose file.</summary>
    [GeneratedRegex(@"\$\{(?<name>[A-Za-z0-9_]+):-(?<value>[^}]*)\}")]
    private static partial Regex ComposeDefault();

    /// <summary>A setting or variable that names a secret: …Password, …Secret, …Key (not …KeyId, not a …PublicKey).</summary>
    [GeneratedRegex("(PASSWORD|SECRET|(?<!PUBLIC_?)KEY)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("Password=(?<password>[^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionPassword();
}
