using HeadlessLoan.Api.Applications;
using HeadlessLoan.Api.Approvals;
using HeadlessLoan.Api.Audit;
using HeadlessLoan.Api.Auth;
using HeadlessLoan.Api.Bench;
using HeadlessLoan.Api.Borrowers;
using HeadlessLoan.Api.Channels;
using HeadlessLoan.Api.Infrastructure;
using HeadlessLoan.Api.Infrastructure.Contract;
using HeadlessLoan.Api.Infrastructure.Health;
using HeadlessLoan.Api.Products;
using HeadlessLoan.Api.Schedules;
using HeadlessLoan.Api.Staff;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddHeadlessLoanAuth();

var app = builder.Build();

app.UseServiceDefaults();

app.MapHealthApi();

// A worker process (Process:Role = Worker) runs the background work only; its HTTP answers health checks.
if (app.Configuration.ServesApi())
{
    app.MapContract();
    app.MapMeApi();
    app.MapStaffAuthApi();
    app.MapWeChatLoginApi();
    app.MapBorrowersApi();
    app.MapStaffApi();
    app.MapChannelsApi();
    app.MapProductsApi();
    app.MapSchedulesApi();
    app.MapBenchApi();
    app.MapApplicationsApi();
    app.MapApprovalsApi();
    app.MapAuditApi();
}

await app.RunAsync();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
