using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Approvals;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>People deciding: the versioned approval policy, role queues with four-eyes rules, escalation and oversight.</summary>
public static class ApprovalsFeature
{
    public static WebApplicationBuilder AddApprovals(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ApprovalsOptions>().BindConfiguration(ApprovalsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApprovalPolicyStore>();
        services.AddSingleton<ApprovalTaskStore>();
        services.AddSingleton<ApprovalViews>();
        services.AddSingleton<IApprovalProgress>(sp => sp.GetRequiredService<ApprovalViews>());
        services.AddSingleton<PartyStore>();
        services.AddSingleton<ApprovalRouter>();
        services.AddSingleton<ApprovalEscalator>();
        // Registered after the database start-up, so the schema exists when the default policy is seeded.
        services.AddHostedService<DefaultPolicySeed>();
        if (configuration.GetValue(ApprovalsOptions.Section + ":" + nameof(ApprovalsOptions.WorkersEnabled), true))
        {
            services.AddBackgroundWorker<ApprovalRouter>(configuration);
            services.AddBackgroundWorker<ApprovalEscalator>(configuration);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapApprovals(this IEndpointRouteBuilder app)
    {
        app.MapApprovalPolicyApi();
        app.MapApprovalTasksApi();
        app.MapOversightApi();
        return app;
    }
}

/// <summary>Writes policy version 1 (the defaults, with the configured score threshold) on a database that has none.</summary>
public sealed class DefaultPolicySeed(ApprovalPolicyStore store, MigrationState migrations, IOptions<ApprovalsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (migrations.Applied)
        {
            await store.SeedAsync(ApprovalRouting.Defaults(options.Value.DeptHeadBelowScore), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
