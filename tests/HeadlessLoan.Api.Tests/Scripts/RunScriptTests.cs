using HeadlessLoan.Api.Tests.Infrastructure;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace HeadlessLoan.Api.Tests.Scripts;

/// <summary>
/// scripts/run.sh with moved ports: the configuration the API starts with (its appsettings files, then the
/// environment run.sh gives it) points at the moved sandbox, database and Redis, back at the API on its moved port
/// (the WeChat Pay and bank notify URLs), and at nothing on the default ports.
/// </summary>
public sealed class RunScriptTests
{
    private const int DbPort = 43306;
    private const int RedisPort = 46379;
    private const int SandboxPort = 45081;
    private const int ApiPort = 45080;

    /// <summary>The loopback URLs that are the API's own, not the sandbox's: where the sandbox sends notifications and callbacks.</summary>
    private static readonly string[] NotifyUrls = ["WeChatPay:NotifyUrl", "Bank:NotifyUrl"];

    [Fact]
    public async Task EverySandboxUrlDatabaseAndRedisFollowTheMovedPorts()
    {
        var configuration = DevelopmentConfiguration(await RunScriptEnvironmentAsync());

        var loopbackUrls = LoopbackUrls(configuration);

        Assert.Contains("WeChat:ApiBaseUrl", loopbackUrls.Keys);
        Assert.Contains("Bureau:BaseUrl", loopbackUrls.Keys);
        Assert.Contains("WeChatPay:BaseUrl", loopbackUrls.Keys);
        Assert.Contains("Bank:BaseUrl", loopbackUrls.Keys);
        Assert.All(NotifyUrls, name => Assert.Equal(ApiPort, loopbackUrls[name].Port));
        Assert.All(loopbackUrls.Where(u => !NotifyUrls.Contains(u.Key)), url => Assert.True(url.Value.Port == SandboxPort, $"{url.Key} = {url.Value} is not the sandbox on port {SandboxPort}"));
        Assert.Contains($"Port={DbPort};", configuration["ConnectionStrings:Database"], StringComparison.Ordinal);
        Assert.Contains($"Port={DbPort};", configuration["ConnectionStrings:Migrations"], StringComparison.Ordinal);
        Assert.Equal($"127.0.0.1:{RedisPort}", configuration["ConnectionStrings:Redis"]);
        var defaults = configuration.AsEnumerable()
            .Where(e => e.Value is { } v && (v.Contains(":5081", StringComparison.Ordinal) || v.Contains(":5080", StringComparison.Ordinal) || v.Contains("=13306;", StringComparison.Ordinal) || v.Contains(":16379", StringComparison.Ordinal)))
            .Select(e => $"{e.Key} = {e.Value}")
            .ToList();
        Assert.True(defaults.Count == 0, "settings still on a default port: " + string.Join("; ", defaults));
    }

    [Fact]
    public async Task ASandboxUrlTheScriptDoesNotMoveIsFound()
    {
        var withoutBureau = (await RunScriptEnvironmentAsync()).Where(e => !e.Key.StartsWith("Bureau__", StringComparison.Ordinal)).ToDictionary();

        var notMoved = LoopbackUrls(DevelopmentConfiguration(withoutBureau)).Where(u => !NotifyUrls.Contains(u.Key) && u.Value.Port != SandboxPort).Select(u => u.Key);

        Assert.Equal(["Bureau:BaseUrl"], notMoved);
    }

    [Fact]
    public void RunShStartsTheApiWithTheseSettings()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "scripts", "run.sh"));

        Assert.Contains("hl_dev_api_environment \"$DB_PORT\" \"$REDIS_PORT\" \"$SANDBOX_PORT\" \"$APP_PASSWORD\" \"$API_PORT\"", script, StringComparison.Ordinal);
        Assert.Contains("env \"${API_ENVIRONMENT[@]}\"", script, StringComparison.Ordinal);
    }

    /// <summary>Every http(s) URL on this machine among the settings: in development, only the sandbox's.</summary>
    private static Dictionary<string, Uri> LoopbackUrls(IConfiguration configuration) =>
        configuration.AsEnumerable()
            .Where(e => Uri.TryCreate(e.Value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && u.IsLoopback)
            .ToDictionary(e => e.Key, e => new Uri(e.Value!));

    /// <summary>What the API reads in Development: appsettings.json, appsettings.Development.json, then the environment.</summary>
    private static IConfiguration DevelopmentConfiguration(IReadOnlyDictionary<string, string> environment)
    {
        var api = Path.Combine(Repository.Root, "src", "HeadlessLoan.Api");
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(api, "appsettings.json"), optional: false)
            .AddJsonFile(Path.Combine(api, "appsettings.Development.json"), optional: false)
            // As the environment-variable provider reads them: "__" separates sections.
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();
    }

    /// <summary>The NAME=VALUE lines run.sh passes to the API, from the shell function it calls.</summary>
    private static async Task<Dictionary<string, string>> RunScriptEnvironmentAsync()
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-c", "source scripts/lib/api-environment.sh && hl_dev_api_environment \"$@\"", "bash", $"{DbPort}", $"{RedisPort}", $"{SandboxPort}", "test-password", $"{ApiPort}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }
}
