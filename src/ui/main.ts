import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// Mounted a task after the bundle is evaluated: the two together would be one long task at page start.
setTimeout(() => mount(App, { target: document.getElementById('app')! }));
