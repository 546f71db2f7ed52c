namespace EdgeGw.Ui;

/// <summary>What /ui shows under <c>DISABLE_ADMIN_UI=True</c>: LiteLLM's page, status 200, saying how to turn the UI back on.</summary>
internal static class UiDisabledPage
{
    private static readonly byte[] Html = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Admin UI Disabled</title></head>
        <body>
        <h1>Admin UI is Disabled</h1>
        <p>The Admin UI has been disabled by the administrator. To re-enable it, set the environment variable
        <code>DISABLE_ADMIN_UI="False"</code> and restart EdgeGw.</p>
        <p>The admin API still answers with the master key.</p>
        </body>
        </html>

        """u8.ToArray();

    public static Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = UiHeaders.NoStore;
        response.ContentLength = Html.Length;
        return response.Body.WriteAsync(Html).AsTask();
    }
}
