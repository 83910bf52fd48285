using System.Globalization;
using System.Net;

namespace HeadlessLoan.Sandbox;

/// <summary>
/// Reads the sandbox's command line: each option as <c>--name value</c> or <c>--name=value</c>, at most once. An option
/// wins over its environment variable, which wins over the default.
/// </summary>
public static class SandboxArguments
{
    public const string PortOption = "--port";
    public const string BankDelayOption = "--bank-delay-ms";
    public const string BankDelayVariable = "SANDBOX_BANK_DELAY_MS";

    /// <summary>The longest bank delay taken: ten minutes.</summary>
    public const int MaxBankDelayMilliseconds = 600_000;

    private static readonly string[] Known = [PortOption, BankDelayOption];

    public static int ResolvePort(IReadOnlyList<string> args, string? environmentPort, int defaultPort)
    {
        if (Options(args).TryGetValue(PortOption, out var value))
        {
            return ParsePort(value, PortOption);
        }

        return string.IsNullOrWhiteSpace(environmentPort) ? defaultPort : ParsePort(environmentPort, "SANDBOX_PORT");
    }

    /// <summary>How long a payout the sandbox bank takes its time over stays PROCESSING (<c>--bank-delay-ms</c>, else <c>SANDBOX_BANK_DELAY_MS</c>).</summary>
    public static TimeSpan ResolveBankDelay(IReadOnlyList<string> args, string? environmentValue, TimeSpan defaultDelay)
    {
        if (Options(args).TryGetValue(BankDelayOption, out var value))
        {
            return ParseMilliseconds(value, BankDelayOption);
        }

        return string.IsNullOrWhiteSpace(environmentValue) ? defaultDelay : ParseMilliseconds(environmentValue, BankDelayVariable);
    }

    private static Dictionary<string, string> Options(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (name, value) = args[i].IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (args[i][..eq], args[i][(eq + 1)..])
                : (args[i], i + 1 < args.Count ? args[++i] : null);
            if (!Known.Contains(name, StringComparer.Ordinal) || value is null || !options.TryAdd(name, value))
            {
                throw new ArgumentException($"unexpected arguments: {string.Join(' ', args)}");
            }
        }

        return options;
    }

    private static int ParsePort(string value, string source) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= IPEndPoint.MaxPort
            ? port
            : throw new ArgumentException($"{source} must be a port number between 1 and {IPEndPoint.MaxPort}, not '{value}'");

    private static TimeSpan ParseMilliseconds(string value, string source) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= MaxBankDelayMilliseconds
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"{source} must be a number of milliseconds between 0 and {MaxBankDelayMilliseconds}, not '{value}'");
}
