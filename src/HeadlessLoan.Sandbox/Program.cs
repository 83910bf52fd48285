using System.Globalization;
using System.Runtime.InteropServices;
using HeadlessLoan.Sandbox;

const int DefaultPort = 5081;

int port;
try
{
    port = SandboxArguments.ResolvePort(args, Environment.GetEnvironmentVariable("SANDBOX_PORT"), DefaultPort);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync("usage: HeadlessLoan.Sandbox [--port N]   (or env SANDBOX_PORT; default 5081)");
    return 2;
}

using var server = SandboxServer.Start(port);

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
