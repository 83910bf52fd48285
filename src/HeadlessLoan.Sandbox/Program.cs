using System.Globalization;
using System.Runtime.InteropServices;
using HeadlessLoan.Sandbox;
using HeadlessLoan.Sandbox.Aliyun;
using HeadlessLoan.Sandbox.Bank;

const int DefaultPort = 5081;

int port;
TimeSpan bankDelay;
try
{
    port = SandboxArguments.ResolvePort(args, Environment.GetEnvironmentVariable("SANDBOX_PORT"), DefaultPort);
    bankDelay = SandboxArguments.ResolveBankDelay(args, Environment.GetEnvironmentVariable(SandboxArguments.BankDelayVariable), BankSandboxSettings.DefaultDelay);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync("usage: HeadlessLoan.Sandbox [--port N] [--bank-delay-ms N]   (or env SANDBOX_PORT, SANDBOX_BANK_DELAY_MS; defaults 5081, 1000)");
    return 2;
}

using var server = SandboxServer.Start(port, bank: new BankSandboxSettings { Delay = bankDelay },
    aliyun: new AliyunSandboxSettings { Delay = AliyunSandboxSettings.DefaultDelay });

// Wait for SIGINT (Ctrl+C) or SIGTERM (docker stop), then stop the server cleanly.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sandbox listening on http://{SandboxServer.BindAddress()}:{port}"));

await stop.Task;
server.Stop();
return 0;
