namespace HeadlessLoan.Sandbox.Tests;

public sealed class SandboxArgumentsTests
{
    [Fact]
    public void Port_argument_wins_over_the_environment() =>
        Assert.Equal(6001, SandboxArguments.ResolvePort(["--port", "6001"], "6002", 5081));

    [Fact]
    public void Port_argument_accepts_the_equals_form() =>
        Assert.Equal(6001, SandboxArguments.ResolvePort(["--port=6001"], null, 5081));

    [Fact]
    public void Environment_port_is_used_without_an_argument() =>
        Assert.Equal(6002, SandboxArguments.ResolvePort([], "6002", 5081));

    [Fact]
    public void Default_port_is_used_without_argument_or_environment() =>
        Assert.Equal(5081, SandboxArguments.ResolvePort([], " ", 5081));

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("eighty")]
    public void Invalid_port_is_rejected(string value)
    {
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort(["--port", value], null, 5081));
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort([], value, 5081));
    }

    [Fact]
    public void Unknown_argument_is_rejected() =>
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort(["--verbose"], null, 5081));

    [Fact]
    public void Bank_delay_argument_wins_over_the_environment_in_either_form()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), SandboxArguments.ResolveBankDelay(["--bank-delay-ms", "250"], "900", TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), SandboxArguments.ResolveBankDelay(["--bank-delay-ms=250"], "900", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Environment_bank_delay_is_used_without_an_argument_and_the_default_without_either()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(900), SandboxArguments.ResolveBankDelay(["--port", "6001"], "900", TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(1), SandboxArguments.ResolveBankDelay([], null, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.Zero, SandboxArguments.ResolveBankDelay([], "0", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Port_and_bank_delay_are_read_from_one_command_line()
    {
        string[] args = ["--bank-delay-ms", "50", "--port=6001"];

        Assert.Equal(6001, SandboxArguments.ResolvePort(args, null, 5081));
        Assert.Equal(TimeSpan.FromMilliseconds(50), SandboxArguments.ResolveBankDelay(args, null, TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("600001")]
    [InlineData("soon")]
    [InlineData("1.5")]
    public void Invalid_bank_delay_is_rejected(string value)
    {
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolveBankDelay(["--bank-delay-ms", value], null, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolveBankDelay([], value, TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("--port", "6001", "--port", "6002")]
    [InlineData("--port", "6001", "--bank-delay-ms")]
    public void A_repeated_option_or_one_without_its_value_is_rejected(params string[] args) =>
        Assert.Throws<ArgumentException>(() => SandboxArguments.ResolvePort(args, null, 5081));
}
