using Build;

return KitHost.Create().Run(args);
