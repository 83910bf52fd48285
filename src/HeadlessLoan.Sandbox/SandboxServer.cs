using System.Net;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;

namespace HeadlessLoan.Sandbox;

/// <summary>Starts the WireMock.Net server that imitates every outside party, from the mapping files and, for WeChat Pay and the bank, code.</summary>
public static class SandboxServer
{
    /// <summary>Environment variable that lets the sandbox listen on all interfaces (inside a container only).</summary>
    public const string BindAnyVariable = "SANDBOX_BIND_ANY";

    /// <summary>
    /// Mappings registered in code (WeChat Pay's, the bank's, Aliyun's, WeChat's subscribe messages and the outbox, which
    /// sign, check or keep state), besides one per mapping file.
    /// </summary>
    public const int CodeMappingCount = WeChatPay.WeChatPaySandbox.MappingCount + Bank.BankSandbox.MappingCount
        + Aliyun.AliyunSandbox.MappingCount + WeChat.WeChatSubscribeSandbox.MappingCount + Outbox.SandboxOutbox.MappingCount;

    // The request journal is bounded so a sandbox left running for days does not grow without limit.
    private const int MaxRequestLogCount = 1000;

    /// <summary>
    /// Starts the sandbox on <paramref name="port"/>, bound to 127.0.0.1 (or 0.0.0.0 when
    /// <c>SANDBOX_BIND_ANY=true</c>), with the admin API at <c>/__admin</c>.
    /// </summary>
    /// <param name="port">TCP port to listen on.</param>
    /// <param name="mappingsDirectory">Folder of mapping files; defaults to <c>mappings/</c> next to the binary.</param>
    /// <param name="keysDirectory">Folder of the WeChat Pay test keys; defaults to <c>wechatpay-test-keys/</c> next to the binary.</param>
    /// <param name="bank">The bank's merchant and delay; defaults to the TEST-ONLY merchant and a delay of one second.</param>
    /// <param name="wechatPay">WeChat Pay's merchant and clock; defaults to the TEST-ONLY merchant and the system's clock.</param>
    /// <param name="aliyun">Aliyun's account, delay and clock (SMS, voice and the outbox); defaults to the TEST-ONLY account, one second and the system's clock.</param>
    public static WireMockServer Start(
        int port, string? mappingsDirectory = null, string? keysDirectory = null, Bank.BankSandboxSettings? bank = null,
        WeChatPay.WeChatPaySandboxSettings? wechatPay = null, Aliyun.AliyunSandboxSettings? aliyun = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        var directory = mappingsDirectory ?? Path.Combine(AppContext.BaseDirectory, "mappings");
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Sandbox mappings folder not found: {directory}");
        }

        // Each server gets its own helper state, so two sandboxes (or two test classes) never share tokens.
        var helpers = new SandboxTemplateHelpers(TimeProvider.System);
        var settings = new WireMockServerSettings
        {
            Urls = [$"http://{BindAddress()}:{port}"],
            StartAdminInterface = true,
            // Static mappings are read below, file by file, because they live in per-party subfolders.
            ReadStaticMappings = false,
            MaxRequestLogCount = MaxRequestLogCount,
            HandlebarsRegistrationCallback = (handlebars, _) => helpers.Register(handlebars),
            // The mappings use only the sandbox's own helpers and request values. WireMock builds a template
            // context per request, and registering the stock helper library each time cost ~35 ms a request.
            HandlebarsSettings = new HandlebarsSettings { AllowedHandlebarsHelpers = [], AllowedCustomHandlebarsHelpers = CustomHandlebarsHelpers.None },
            // Matchers the mapping files name for image uploads, which WireMock keeps as bytes.
            CustomMatcherMappings = SandboxMatchers.Mappings(),
        };

        var server = WireMockServer.Start(settings);
        try
        {
            LoadMappings(server, directory);
            var wechatPaySettings = wechatPay ?? new WeChatPay.WeChatPaySandboxSettings();
            WeChatPay.WeChatPaySandbox.Register(server,
                WeChatPay.WeChatPaySandboxKeys.Load(keysDirectory ?? WeChatPay.WeChatPaySandboxKeys.DefaultDirectory, wechatPaySettings), wechatPaySettings.Clock);
            Bank.BankSandbox.Register(server, bank ?? new Bank.BankSandboxSettings());
            var aliyunSettings = aliyun ?? new Aliyun.AliyunSandboxSettings();
            var outbox = new Outbox.SandboxOutbox();
            Aliyun.AliyunSandbox.Register(server, aliyunSettings, outbox);
            WeChat.WeChatSubscribeSandbox.Register(server, helpers, outbox, aliyunSettings.Clock);
            outbox.Register(server);
        }
        catch
        {
            server.Stop();
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>The host the sandbox binds to: loopback unless the container asks for all interfaces.</summary>
    public static string BindAddress() =>
        string.Equals(Environment.GetEnvironmentVariable(BindAnyVariable), "true", StringComparison.OrdinalIgnoreCase)
            ? "0.0.0.0"
            : "127.0.0.1";

    private static void LoadMappings(WireMockServer server, string directory)
    {
        // Ordinal sort keeps the load order identical on every machine; matching order is set by Priority anyway.
        var files = Directory
            .EnumerateFiles(directory, "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No sandbox mapping files in {directory}");
        }

        foreach (var file in files)
        {
            if (!server.ReadStaticMappingAndAddOrUpdate(file))
            {
                throw new InvalidDataException($"Sandbox mapping file could not be read: {file}");
            }
        }
    }
}
