using System.Text;

namespace EdgeGw.Observability.Callbacks;

/// <summary>The callbacks' lines in /metrics: per destination, events dropped (queue full or given up) and events waiting.</summary>
internal static class CallbackMetricsExposition
{
    public static void Write(StringBuilder text, CallbackDispatcher? callbacks)
    {
        if (callbacks is null)
            return;
        MetricsExposition.Header(text, "edgegw_callback_dropped_total", "counter", "Callback events lost: the queue was full (oldest dropped) or every retry failed.");
        foreach (var worker in callbacks.Workers)
            MetricsExposition.Sample(text, "edgegw_callback_dropped_total", $"callback=\"{CallerSeries.Escape(worker.Name)}\"", worker.Dropped);
        MetricsExposition.Header(text, "edgegw_callback_queued", "gauge", "Callback events waiting to be sent.");
        foreach (var worker in callbacks.Workers)
            MetricsExposition.Sample(text, "edgegw_callback_queued", $"callback=\"{CallerSeries.Escape(worker.Name)}\"", worker.Queued);
    }
}
