using System.CommandLine;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OGan.Imaging;

namespace OGan.Cli.Serve;

/// <summary>ogan serve: a web page (and its JSON/PNG API) to explore trained models and watch a run.</summary>
internal static class ServeCommand
{
    private static readonly Option<string[]> Checkpoints = new("--checkpoint", "-c")
    {
        Description = "Checkpoint files, run folders or folders of runs the page may choose from (nothing outside them)",
        DefaultValueFactory = _ => ["runs"],
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<int> Port = new("--port") { Description = "TCP port (0: any free one)", DefaultValueFactory = _ => 8080 };
    private static readonly Option<string> Host = new("--host") { Description = "Address to listen on: 127.0.0.1 (this machine only), or e.g. 0.0.0.0 for every interface", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> MaxUploadMegabytes = new("--max-upload-mb") { Description = "Largest request body (uploads), in MB", DefaultValueFactory = _ => 16 };
    private static readonly Option<long> MaxPixels = new("--max-pixels")
    {
        Description = "Largest uploaded image, in pixels (width × height), refused before it is decoded",
        DefaultValueFactory = _ => 25_000_000,
    };

    private static readonly Option<string?> Token = new("--token")
    {
        Description = "The token every request needs when --host is beyond loopback (default: $OGAN_SERVE_TOKEN, else a random one, printed in the URL)",
    };

    private static readonly Option<bool> Https = new("--https")
    {
        Description = "Serve over HTTPS: with --certificate, else with a self-signed certificate made once and kept in $OGAN_CACHE/serve (its serve.crt is what a browser or curl must trust)",
    };

    private static readonly Option<string?> Certificate = new("--certificate") { Description = "The HTTPS certificate: PKCS#12 (.pfx, .p12), or PEM (.pem, .crt) with its key in it or beside it (.key); implies --https" };

    private static readonly Option<string?> CertificatePassword = new("--certificate-password") { Description = "The PKCS#12 file's password (default: $OGAN_CERTIFICATE_PASSWORD)" };

    public static Command Create()
    {
        var command = new Command("serve", "Serve a web page to sample, reconstruct and interpolate with a model, and to watch a training run")
        {
            Checkpoints, Port, Host, MaxUploadMegabytes, MaxPixels, Token, Https, Certificate, CertificatePassword, ModelOptions.Device, ModelOptions.Precision,
        };
        command.SetAction(parse => Guard.Run(parse, log => Run(parse, log)));
        return command;
    }

    private static int Run(ParseResult parse, ILogger log)
    {
        var port = parse.GetValue(Port);
        var hostName = parse.GetValue(Host)!;
        var maxBytes = (long)parse.GetValue(MaxUploadMegabytes) * 1024 * 1024;
        if (port is < 0 or > 65535 || maxBytes < 1)
        {
            throw new UserError("--port must be between 0 and 65535 and --max-upload-mb at least 1", Guard.Usage);
        }

        var maxPixels = parse.GetValue(MaxPixels);
        if (maxPixels is < 1 or > ImageCodec.DefaultMaxPixels)
        {
            throw new UserError($"--max-pixels must be between 1 and {ImageCodec.DefaultMaxPixels:N0}, got {maxPixels}", Guard.Usage);
        }

        if (hostName.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            hostName = "127.0.0.1";
        }

        if (!IPAddress.TryParse(hostName, out var address))
        {
            throw new UserError($"--host {hostName}: give an IP address such as 127.0.0.1 or 0.0.0.0", Guard.Usage);
        }

        var loopback = IPAddress.IsLoopback(address);
        var token = loopback ? null : parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("OGAN_SERVE_TOKEN") ?? RequestGuard.NewToken();
        if (token is { Length: < 16 })
        {
            throw new UserError("--token must be at least 16 characters (or leave it out for a random one)", Guard.Usage);
        }

        var certificate = parse.GetValue(Certificate) is { } certificateFile
            ? ServeCertificate.Load(certificateFile, parse.GetValue(CertificatePassword) ?? Environment.GetEnvironmentVariable("OGAN_CERTIFICATE_PASSWORD"))
            : null;
        if (certificate is null && parse.GetValue(Https))
        {
            var (made, publicFile, isNew) = ServeCertificate.SelfSigned(address, Path.Combine(Data.DataSets.DefaultCache, "serve"));
            certificate = made;
            log.LogInformation("HTTPS with a self-signed certificate{New} (SHA-256 {Fingerprint}): trust {File} in the browser, or curl --cacert {File}",
                isNew ? " made for this machine" : "", made.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), publicFile, publicFile);
        }

        if (!loopback && certificate is null)
        {
            log.LogWarning("plain HTTP beyond this machine: the token travels in clear in the URL and its cookie, readable by anyone on the network path; give --https");
        }

        var catalog = CheckpointCatalog.Open(parse.GetValue(Checkpoints)!);
        var device = ModelOptions.ParseDevice(parse.GetValue(ModelOptions.Device)!);
        Engine.Runtime.SetThreads();
        using var host = new ModelHost(device, parse.GetValue(ModelOptions.Precision));
        host.Select(catalog.Latest()!, CancellationToken.None).GetAwaiter().GetResult();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBytes;
            kestrel.Listen(address, port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = JsonText.Encoder);
        builder.Services.Configure<FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = maxBytes;
            form.ValueCountLimit = 64;
        });

        using var app = builder.Build();
        app.Use(ReportErrors(log));
        app.Use(Admit(new RequestGuard(loopback, token)));
        StaticPage.Map(app);
        using var uploads = new Uploads(maxPixels);
        ServeApi.Map(app, host, catalog, uploads);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new UserError($"{e.Message} (choose another --port, or --port 0 for any free one)");
        }

        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        log.LogInformation("serving {Checkpoint} at {Url}/{Token} ({Scope}); Ctrl+C stops", host.Current!.Name, url,
            token is null ? "" : $"?{RequestGuard.TokenParameter}={token}",
            loopback ? "this machine only; --host 0.0.0.0 to listen on every interface" : "every interface: only who has the token can use it");
        Console.Out.Flush();
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>Lets through only the requests <paramref name="guard"/> admits; the others get a JSON error.</summary>
    private static Func<HttpContext, RequestDelegate, Task> Admit(RequestGuard guard) => async (context, next) =>
    {
        if (guard.Check(context) is var (status, message))
        {
            throw new ApiError(status, message);
        }

        await next(context).ConfigureAwait(false);
    };

    /// <summary>Turns refusals into JSON errors with their status, and anything else into a one-line 500.</summary>
    private static Func<HttpContext, RequestDelegate, Task> ReportErrors(ILogger log) => async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var (status, message) = e switch
            {
                ApiError api => (api.Status, api.Message),
                BadHttpRequestException bad => (bad.StatusCode, bad.Message),
                InvalidDataException or IOException => (StatusCodes.Status400BadRequest, e.Message),
                _ => (StatusCodes.Status500InternalServerError, $"unexpected {e.GetType().Name}: {e.Message}"),
            };
            if (status >= 500)
            {
                log.LogError("{Method} {Path}: {Message}", context.Request.Method, context.Request.Path, message);
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }, JsonText.Options), context.RequestAborted).ConfigureAwait(false);
        }
    };
}
