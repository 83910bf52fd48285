using HeadlessLoan.Client;

// What a channel's developer writes after `dotnet add package HeadlessLoan.Client`: quote a schedule against a
// running API, and read a refusal's problem code.
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var baseUrl))
{
    Console.Error.WriteLine("usage: PackageConsumer <API base URL>");
    return 2;
}

var client = HeadlessLoanClientFactory.Create(baseUrl);
ScheduleQuoteResponse quote = await client.QuoteScheduleAsync(
    new ScheduleQuoteRequest
    {
        Principal = 10_000_000,
        AnnualRate = 0.049m,
        TermMonths = 360,
        Method = RepaymentMethod.EqualInstallment,
        StartDate = new DateOnly(2026, 1, 15),
    },
    idempotencyKey: IdempotencyKey.New());
Console.WriteLine($"monthly payment: {quote.Periods.First().Payment} fen");

try
{
    await client.GetMeAsync();
}
catch (HeadlessLoanException exception) when (exception.HasProblemCode("unauthorized"))
{
    Console.WriteLine($"without credentials: {exception.StatusCode} {exception.ProblemCode}");
}

return 0;
