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

            // A shell starts a background job with SIGINT ignored, and the sandbox inherits that (as nohup means it
            // to): then it keeps serving through SIGINT, and SIGTERM stops it.
            if (signal == "INT" && InterruptIgnored())
            {
                await SendAsync("INT", process.Id);
                await Task.Delay(500);
                Assert.False(process.HasExited, "the sandbox stopped on a SIGINT its starter ignores");
                (await WeChatTokenReply.ReadAsync(await client.GetAsync(new Uri("/cgi-bin/token?grant_type=client_credential&appid=wx_process&secret=s", UriKind.Relative)))).AssertToken();
                signal = "TERM";
            }

            await SendAsync(signal, process.Id);

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

    private static async Task SendAsync(string signal, int pid)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}");
        await kill.WaitForExitAsync();
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status), as its children then do.</summary>
    private static bool InterruptIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0b10) != 0;
    }
}
