using Build;

Bootstrapper.WithdrawRuntimeDefaults();
return KitHost.Create().Run(args);
