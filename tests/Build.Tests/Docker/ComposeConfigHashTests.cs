using Build.Docker;

namespace Build.Tests.Docker;

/// <summary>
/// The config hash the kit computes from <c>compose config --format json</c> against the labels Compose 2.26.1 really
/// wrote on the containers of this configuration (a throwaway project: <c>up --wait</c>, then <c>docker ps --format
/// '{{.Label "com.docker.compose.config-hash"}}'</c>): a health check with <c>$$</c> and Go's HTML escapes, deploy limits,
/// replicas, depends_on, non-ASCII text.
/// </summary>
[TestFixture]
public sealed class ComposeConfigHashTests
{
    private const string ConfigJson = """
        {
          "name": "hdevup-hashfix",
          "networks": {
            "default": {
              "name": "hdevup-hashfix_default",
              "ipam": {}
            }
          },
          "services": {
            "r": {
              "command": [
                "redis-server",
                "--appendonly",
                "yes"
              ],
              "deploy": {
                "resources": {
                  "limits": {
                    "cpus": 0.5,
                    "memory": "67108864"
                  }
                },
                "placement": {}
              },
              "entrypoint": null,
              "healthcheck": {
                "test": [
                  "CMD-SHELL",
                  "redis-cli -h 127.0.0.1 ping | grep -q PONG \u0026\u0026 test \"$${HOME}\" != '\u003c\u0026\u003e'"
                ],
                "interval": "2s"
              },
              "image": "kit-offline/redis:7",
              "networks": {
                "default": null
              }
            },
            "s": {
              "command": null,
              "depends_on": {
                "r": {
                  "condition": "service_healthy",
                  "required": true
                }
              },
              "deploy": {
                "replicas": 1,
                "resources": {
                  "limits": {
                    "memory": "67108864"
                  }
                },
                "placement": {}
              },
              "entrypoint": null,
              "environment": {
                "GREETING": "héllo \u003cworld\u003e \u0026 $$dollar"
              },
              "image": "kit-offline/redis:7",
              "networks": {
                "default": null
              }
            }
          }
        }
        """;

    [Test]
    public void Each_service_gets_the_hash_compose_wrote_on_its_container()
    {
        var hashes = ComposeConfigHash.Compute(ConfigJson);

        Assert.That(hashes, Is.EqualTo(new Dictionary<string, string>
        {
            ["r"] = "f5fa4d00b42ed4a978a075d1390935c545b2cc45dcc7d50d5f31d9fdc714e110",
            ["s"] = "18b3f238baa2fe0e0a15fd7f901c30d115caed1b94ee018dd1658040298ccc7d",
        }));
    }

    [Test]
    public void Any_change_of_a_service_changes_its_hash_and_only_its_own()
    {
        var before = ComposeConfigHash.Compute(ConfigJson);

        var after = ComposeConfigHash.Compute(ConfigJson.Replace("\"cpus\": 0.5", "\"cpus\": 0.25", StringComparison.Ordinal));

        Assert.That(after["r"], Is.Not.EqualTo(before["r"]));
        Assert.That(after["s"], Is.EqualTo(before["s"]));
    }

    [Test]
    public void What_compose_leaves_out_of_the_hash_does_not_change_it()
    {
        var before = ComposeConfigHash.Compute(ConfigJson);

        // Replicas and a build section are cleared before compose hashes.
        var after = ComposeConfigHash.Compute(ConfigJson
            .Replace("\"replicas\": 1,", "\"replicas\": 3,", StringComparison.Ordinal)
            .Replace("\"s\": {", "\"s\": {\n      \"build\": { \"context\": \"/somewhere\" },", StringComparison.Ordinal));

        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public void Text_that_is_not_json_gives_no_hashes()
    {
        Assert.That(ComposeConfigHash.Compute("services:\n  r:\n    image: redis\n"), Is.Empty);
    }
}
