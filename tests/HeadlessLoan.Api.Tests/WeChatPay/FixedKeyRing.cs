using HeadlessLoan.Api.Integrations.WeChatPay;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Tests.WeChatPay;

/// <summary>A key ring over fixed options, for tests that need no configuration.</summary>
public sealed class FixedKeyRing(WeChatPayKeys keys)
{
    public WeChatPayKeyRing Ring { get; } = new(new Monitor(keys.Options), new Environment());

    private sealed class Monitor(WeChatPayOptions options) : IOptionsMonitor<WeChatPayOptions>
    {
        public WeChatPayOptions CurrentValue => options;

        public WeChatPayOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<WeChatPayOptions, string?> listener) => null;
    }

    public sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "HeadlessLoan.Api";

        public string ContentRootPath { get; set; } = Infrastructure.Repository.Root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
