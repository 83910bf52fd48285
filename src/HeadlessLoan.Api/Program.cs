using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Features.Approvals;
using HeadlessLoan.Api.Features.Borrowers;
using HeadlessLoan.Api.Features.Channels;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Features.Collections;
using HeadlessLoan.Api.Features.CreditLines;
using HeadlessLoan.Api.Features.Intake;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Features.Contact;
using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Api.Features.Reminders;
using HeadlessLoan.Api.Features.Repayments;
using HeadlessLoan.Api.Features.Schedules;
using HeadlessLoan.Api.Features.Staff;
using HeadlessLoan.Api.Integrations.Aliyun;
using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Integrations.Blobs;
using HeadlessLoan.Api.Integrations.Bureau;
using HeadlessLoan.Api.Integrations.IpRegion;
using HeadlessLoan.Api.Integrations.WeChat;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform;

var app = Program.AddModules(WebApplication.CreateBuilder(args)).Build();
Program.MapModules(app);
await app.RunAsync();

/// <summary>The service: the platform, one registration per outside party, one per feature.</summary>
public partial class Program
{
    public static WebApplicationBuilder AddModules(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPlatform();

        builder.Services.AddWeChat(builder.Configuration);
        builder.Services.AddCreditBureau();
        builder.Services.AddBlobStore();
        builder.Services.AddIpRegions();

        // Borrowers repay through WeChat Pay where its section is given (its settings are checked at start); a deployment
        // without it serves everything else, and answers a repayment 503 repayments_unavailable.
        if (builder.Configuration.GetSection(WeChatPayOptions.Section).Exists())
        {
            builder.Services.AddWeChatPay(builder.Configuration);
        }

        // Likewise the payout bank, until loans disburse through it.
        if (builder.Configuration.GetSection(BankOptions.Section).Exists())
        {
            builder.Services.AddBank(builder.Configuration);
        }

        // Reminders by SMS and voice call go through Aliyun where its section is given.
        if (builder.Configuration.GetSection(AliyunOptions.Section).Exists())
        {
            builder.Services.AddAliyun(builder.Configuration);
        }

        return builder
            .AddStaff()
            .AddChannels()
            .AddBorrowers()
            .AddProducts()
            .AddSchedules()
            .AddApplications()
            .AddIntake()
            .AddApprovals()
            .AddLedger()
            .AddLoans()
            .AddRepayments()
            .AddCreditLines()
            .AddCloseOfBusiness()
            .AddContact()
            .AddReminders()
            .AddCollections();
    }

    /// <summary>A worker process (<c>Process:Role = Worker</c>) runs the background work only; its HTTP answers health checks.</summary>
    public static WebApplication MapModules(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UsePlatform().MapPlatform();
        if (app.Configuration.ServesApi())
        {
            app.MapStaff();
            app.MapChannels();
            app.MapBorrowers();
            app.MapProducts();
            app.MapSchedules();
            app.MapApplications();
            app.MapIntake();
            app.MapApprovals();
            app.MapLedger();
            app.MapLoans();
            app.MapRepayments();
            app.MapCreditLines();
            app.MapCloseOfBusiness();
            app.MapContact();
            app.MapReminders();
            app.MapCollections();
        }

        return app;
    }
}
