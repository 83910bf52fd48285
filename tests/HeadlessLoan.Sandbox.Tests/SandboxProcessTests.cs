using System.Diagnostics;
using System.Globalization;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>The sandbox as integrators run it: a separate process that stops cleanly on a signal.</summary>
public sealed class SandboxProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Process_announces_its_address_serves_and_exits_cleanly_on_signal(string signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGINT/SIGTERM are POSIX; the sandbox's container and CI run Linux.
        }

        var port = SandboxFixture.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "HeadlessLoan.Sandbox.dll"), "--port", port.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove(SandboxServer.BindAnyVariable);
        using var process = Process.Start(start)!;
        try
        {
            // Whatever else the process writes is drained, so a full pipe can never hold up its exit.
            var errors = process.StandardError.ReadToEndAsync();
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(Patience);
            Assert.Equal($"sandbox listening on http://127.0.0.1:{port}", line);
            var rest = process.StandardOutput.ReadToEndAsync();

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var response = await client.GetAsync(new Uri("/cgi-bin/token?grant_type=client_credential&appid=wx_process&secret=s", UriKind.Relative));
            (await WeChatTokenReply.ReadAsync(response)).AssertToken();

            using (var kill = Process.Start("kill", $"-{signal} {process.Id}"))
            {
                await kill.WaitForExitAsync();
            }

            using var exited = new CancellationTokenSource(Patience);
            await process.WaitForExitAsync(exited.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; output: {await rest}; errors: {await errors}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
