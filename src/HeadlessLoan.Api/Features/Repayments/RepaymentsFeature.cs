using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.Repayments;

/// <summary>
/// Repayments: WeChat Pay orders for loans, their notifications, the job that reconciles the orders nobody told us about,
/// repayments received offline and refunds of credit (both four eyes).
/// </summary>
public static class RepaymentsFeature
{
    public static WebApplicationBuilder AddRepayments(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RepaymentsOptions>().BindConfiguration(RepaymentsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PaymentOrderStore>();
        builder.Services.AddSingleton<OfflineRepayments>();
        builder.Services.AddSingleton<Refunds>();
        // Without the WeChatPay section no order is placed, so there is nothing to settle or reconcile.
        if (builder.Configuration.GetSection(WeChatPayOptions.Section).Exists())
        {
            builder.Services.AddSingleton<PaymentSettlement>();
            builder.Services.AddSingleton<PaymentOrderReconciler>();
            builder.Services.AddSingleton<PaymentNotificationInbox>();
            builder.Services.AddSingleton<PaymentNotificationWorker>();
            if (builder.Configuration.GetValue(RepaymentsOptions.Section + ":" + nameof(RepaymentsOptions.NotificationWorkerEnabled), true))
            {
                builder.Services.AddBackgroundWorker<PaymentNotificationWorker>(builder.Configuration);
            }

            if (builder.Configuration.GetValue(RepaymentsOptions.Section + ":" + nameof(RepaymentsOptions.ReconcilerEnabled), true))
            {
                builder.Services.AddBackgroundWorker<PaymentOrderReconciler>(builder.Configuration);
            }
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapRepayments(this IEndpointRouteBuilder app) => app.MapRepaymentsApi().MapOfflineRepaymentsApi().MapRefundsApi();
}
