using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HeadlessLoan.Api.Platform.Secrets;

/// <summary>
/// The passwords and keys published in this repository — docker-compose.yml's defaults and appsettings.Development.json —
/// which anyone can read. Outside Development the service refuses to start while any setting holds one of them. Both files
/// are embedded as they are built, so the list can never fall behind them.
/// </summary>
public static partial class PublishedSecrets
{
    private const int ShortestSecret = 8;

    /// <summary>Every published secret value.</summary>
    public static IReadOnlySet<string> Values { get; } = Load();

    /// <summary>The settings whose value is, or contains (a connection string's password), a published secret.</summary>
    public static IReadOnlyList<string> FoundIn(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.AsEnumerable()
            .Where(setting => setting.Value is { Length: >= ShortestSecret } value && Values.Any(secret => value.Contains(secret, StringComparison.Ordinal)))
            .Select(setting => setting.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Throws, naming the settings (never their values), when a published secret is used outside Development.</summary>
    public static void RefuseOutsideDevelopment(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.IsDevelopment() || FoundIn(configuration) is not { Count: > 0 } found)
        {
            return;
        }

        throw new InvalidOperationException(
            $"The {environment.EnvironmentName} environment uses secrets published in the repository (docker-compose.yml defaults or " +
            $"appsettings.Development.json) for: {string.Join(", ", found)}. Anyone can read them: set your own values, or run in Development.");
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

    /// <summary>A setting or variable that names a secret: …Password, …Secret, …Key (not …KeyId).</summary>
    [GeneratedRegex("(PASSWORD|SECRET|KEY)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("Password=(?<password>[^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionPassword();
}
