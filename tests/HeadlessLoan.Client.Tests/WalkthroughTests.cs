using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HeadlessLoan.Client.Tests.Infrastructure;

namespace HeadlessLoan.Client.Tests;

/// <summary>
/// What an integrator does with the SDK and the README alone: the service and the sandbox (every outside party: WeChat,
/// the bureau, the bank, WeChat Pay) as separate processes, and one borrower from WeChat login to a loan paid off.
/// </summary>
public sealed class WalkthroughTests(WalkthroughTests.Deployment deployment) : IClassFixture<WalkthroughTests.Deployment>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ABorrowerAppliesIsApprovedAcceptsIsPaidOutRepaysTheNextDueAndPaysOff()
    {
        var admin = await deployment.CreateAdminClientAsync();
        var definition = TestProducts.Definition(TestProducts.UniqueName("Walkthrough"));
        definition.AgeMin = 18;
        definition.AgeMax = 65;
        var product = (await admin.CreateProductAsync(definition)).Result;

        var login = (await deployment.CreateAnonymousClient().LogInWithWeChatAsync(new WeChatLoginRequest { Code = "code_" + Guid.NewGuid().ToString("N") })).Result;
        var borrower = HeadlessLoanClientFactory.Create(new HeadlessLoanClientOptions { BaseUrl = deployment.BaseUrl, BearerToken = login.AccessToken });
        var application = (await borrower.CreateApplicationAsync(new CreateApplicationRequest
        {
            ProductId = product.Id, Amount = 1_000_000, TermMonths = 12, Method = RepaymentMethod.EqualInstallment, Purpose = "家庭消费",
            DeclaredName = "张三", DeclaredRegionCode = "110101", DeclaredAddress = "北京市东城区沙箱路1号",
        })).Result;
        foreach (var (kind, sample) in new[] { (DocumentKind.IdFront, "id-front-valid"), (DocumentKind.IdBack, "id-back-valid"), (DocumentKind.BankCard, "card-valid") })
        {
            await using var image = File.OpenRead(Path.Combine(BuildPaths.RepositoryRoot, "src", "HeadlessLoan.Sandbox", "samples", sample + ".png"));
            await borrower.UploadApplicationDocumentAsync(application.Id, kind, new DocumentImage(image, sample + ".png", "image/png"));
        }

        await borrower.RecordApplicationConsentAsync(application.Id, new CreateConsentRequest { Purpose = ConsentPurpose.CreditBureauQuery, TextVersion = "v1" });
        await borrower.SubmitApplicationAsync(application.Id);
        var decided = await Until(() => borrower.GetApplicationAsync(application.Id), a => a.Status is not (ApplicationStatus.Submitted or ApplicationStatus.Draft));
        Assert.Equal(ApplicationStatus.Approved, decided.Status);

        var offer = await borrower.GetLoanOfferAsync(application.Id);
        var accepted = (await borrower.AcceptLoanOfferAsync(application.Id,
            new AcceptOfferRequest { AnnualRate = offer.AnnualRate, Apr = offer.Apr, TotalRepayment = offer.TotalRepayment })).Result;
        var active = await Until(() => borrower.GetLoanAsync(accepted.Id), l => l.Status != LoanStatus.PendingDisbursement);
        Assert.Equal(LoanStatus.Active, active.Status);

        var nextDue = (await borrower.CreateRepaymentAsync(active.Id, new CreateRepaymentRequest { Kind = RepaymentKind.NextDue })).Result;
        Assert.StartsWith("prepay_id=", nextDue.Payment.Package, StringComparison.Ordinal);
        Assert.Equal(active.NextDue!.Amount, nextDue.Order.Amount);
        // The mini-program calls wx.requestPayment with nextDue.Payment; the sandbox pays at once and notifies the service.
        var paid = await Until(() => borrower.GetRepaymentAsync(active.Id, nextDue.Order.Id), o => o.Status != PaymentOrderStatus.Created);
        Assert.Equal(PaymentOrderStatus.Paid, paid.Status);
        Assert.Equal(2, (await borrower.GetLoanAsync(active.Id)).NextDue!.Period);

        var quote = await borrower.GetPayoffQuoteAsync(active.Id);
        var payoff = (await borrower.CreateRepaymentAsync(active.Id, new CreateRepaymentRequest { Kind = RepaymentKind.Payoff })).Result;
        Assert.Equal(quote.Amount.Total, payoff.Order.Amount);
        await Until(() => borrower.GetRepaymentAsync(active.Id, payoff.Order.Id), o => o.Status != PaymentOrderStatus.Created);
        var closed = await borrower.GetLoanAsync(active.Id);
        Assert.Equal(LoanStatus.PaidOff, closed.Status);
        Assert.Equal(0, closed.Receivable.Total);
        Assert.True((await admin.ReconcileLedgerAsync()).Ok);
    }

    private static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The service with the sandbox as every outside party, the sandbox's test-only merchants and keys (Development).</summary>
    public sealed class Deployment : ApiServerFixture
    {
        private readonly Process _sandbox;
        private readonly string _sandboxUrl;

        public Deployment()
        {
            var port = FreePort();
            _sandboxUrl = $"http://127.0.0.1:{port}";
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(BuildPaths.RepositoryRoot, "src", "HeadlessLoan.Sandbox", "bin", BuildPaths.Configuration, "net10.0", "HeadlessLoan.Sandbox.dll"),
                    "--port", port.ToString(CultureInfo.InvariantCulture), "--bank-delay-ms", "200" },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            _sandbox = Process.Start(start)!;
            var announced = _sandbox.StandardOutput.ReadLineAsync().Wait(TimeSpan.FromSeconds(60));
            if (!announced)
            {
                throw new InvalidOperationException("The sandbox did not start.");
            }

            _ = _sandbox.StandardOutput.ReadToEndAsync();
        }

        protected override IReadOnlyDictionary<string, string> Settings
        {
            get
            {
                var keys = Path.Combine(BuildPaths.RepositoryRoot, "src", "HeadlessLoan.Sandbox", "wechatpay-test-keys");
                return new Dictionary<string, string>
                {
                    // The sandbox's merchants and keys are published: the service takes them in Development only.
                    ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["WeChat__ApiBaseUrl"] = _sandboxUrl,
                    ["Bureau__BaseUrl"] = _sandboxUrl,
                    ["Bank__BaseUrl"] = _sandboxUrl,
                    ["Bank__NotifyUrl"] = new Uri(BaseUrl, "/v1/webhooks/bank").ToString(),
                    ["WeChatPay__BaseUrl"] = _sandboxUrl,
                    ["WeChatPay__NotifyUrl"] = new Uri(BaseUrl, "/v1/webhooks/wechatpay").ToString(),
                    ["WeChatPay__MerchantPrivateKey"] = Path.Combine(keys, "merchant-private-key.TEST-ONLY.pem"),
                    ["WeChatPay__PlatformCertificates__5A1D2C3B4E5F60718293A4B5C6D7E8F901A2B3C4"] = Path.Combine(keys, "platform-certificate.TEST-ONLY.pem"),
                    ["WeChatPay__PublicKey"] = Path.Combine(keys, "wechatpay-public-key.TEST-ONLY.pem"),
                };
            }
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            if (!_sandbox.HasExited)
            {
                _sandbox.Kill();
                await _sandbox.WaitForExitAsync();
            }

            _sandbox.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
