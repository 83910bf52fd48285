using System.Globalization;
using System.Net;

namespace HeadlessLoan.Sandbox;

/// <summary>Reads the sandbox's command line: <c>--port N</c> wins over <c>SANDBOX_PORT</c>, which wins over the default.</summary>
public static class SandboxArguments
{
    public static int ResolvePort(IReadOnlyList<string> args, string? environmentPort, int defaultPort)
    {
        if (args.Count > 0)
        {
            return args switch
            {
                ["--port", var value] => ParsePort(value, "--port"),
                [var single] when single.StartsWith("--port=", StringComparison.Ordinal) => ParsePort(single["--port=".Length..], "--port"),
                _ => throw new ArgumentException($"unexpected arguments: {string.Join(' ', args)}"),
            };
        }

        return string.IsNullOrWhiteSpace(environmentPort) ? defaultPort : ParsePort(environmentPort, "SANDBOX_PORT");
    }

    private static int ParsePort(string value, string source) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= IPEndPoint.MaxPort
            ? port
            : throw new ArgumentException($"{source} must be a port number between 1 and {IPEndPoint.MaxPort}, not '{value}'");
}
